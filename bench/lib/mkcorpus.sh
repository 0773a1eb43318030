#!/usr/bin/env bash
# The photos of bench/renditions.sh, made from nothing and the same every time: camera-sized
# (4000x3000) quality-90 JPEGs of varied content (ffmpeg's test sources, tinted and with a
# photo's grain, so each compresses like a camera's 4-8 MB file), with camera EXIF written by
# exiftool (make, model, lens, exposure, DateTimeOriginal with its offset, GPS, an Orientation
# that turns three in eight); some HEIC made from the same kind of picture (heif-enc); a few short
# H.264 MP4s (ffmpeg testsrc). Nothing here is committed: the corpus is cached in DIR, and only
# what DIR lacks is made (each file from its index alone, so a larger corpus serves a smaller run).
#
#   mkcorpus.sh DIR PHOTOS LATENCY_PHOTOS HEIC VIDEOS WARMUP_PHOTOS
#
# DIR/photos/p0001.jpg..  the measured batch;  DIR/latency/l0001.jpg..  more of the same, distinct
# bytes, for the upload-to-thumbnail timing;  DIR/heic/h001.heic..;  DIR/video/v01.mp4..;
# DIR/warmup/w0001.jpg..  for the server's warm-up, distinct from all the others.
set -euo pipefail
if [ "${1:-}" = one ]; then
  # One picture: one of six sources (index mod 6), its hue and grain seeded by the index.
  kind=$2 i=$3 out=$4
  case $(( i % 6 )) in
    0) src="testsrc2=s=4000x3000:rate=1" ;;
    1) src="cellauto=s=1000x750:rate=1:rule=$((18 + i % 100)):seed=$i:random_fill_ratio=0.5:scroll=0,scale=4000:3000:flags=bicubic" ;;
    2) src="life=s=800x600:rate=1:seed=$i:mold=10:ratio=0.3,scale=4000:3000:flags=bicubic" ;;
    3) src="gradients=s=4000x3000:rate=1:seed=$i:nb_colors=5" ;;
    4) src="mandelbrot=s=1000x750:rate=1:start_scale=$(( 1 + i % 4 )),scale=4000:3000:flags=bicubic" ;;
    5) src="smptehdbars=s=4000x3000:rate=1" ;;
  esac
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/mkcorpus.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  ffmpeg -v error -nostdin -f lavfi -i "$src,hue=h=$(( i * 37 % 360 )),noise=alls=7:allf=t:all_seed=$i,format=rgb24" \
    -frames:v 1 -y "$tmp/p.ppm"
  case $kind in
    jpg) vips copy "$tmp/p.ppm" "$tmp/p.jpg[Q=90]" ;;
    # heif-enc reads PNG or JPEG; x265's fastest preset, since only decoding is measured.
    heic) vips copy "$tmp/p.ppm" "$tmp/p.png"; heif-enc -q 80 -p preset=ultrafast "$tmp/p.png" -o "$tmp/p.heic" >/dev/null ;;
  esac
  # Camera EXIF, varied by the index: three in eight pictures are turned by their Orientation.
  cameras=("Canon|Canon EOS R6|RF24-105mm F4 L IS USM" "NIKON CORPORATION|NIKON Z 6_2|NIKKOR Z 24-70mm f/4 S"
           "SONY|ILCE-7M3|FE 28-70mm F3.5-5.6 OSS" "FUJIFILM|X-T4|XF18-55mmF2.8-4 R LM OIS"
           "Apple|iPhone 13|iPhone 13 back camera 5.1mm f/1.6")
  orientations=(1 6 1 3 1 8 1 1)
  IFS='|' read -r make model lens <<<"${cameras[$(( i % ${#cameras[@]} ))]}"
  exiftool -q -q -overwrite_original -Make="$make" -Model="$model" -LensModel="$lens" \
    -DateTimeOriginal="$(printf '2024:%02d:%02d %02d:%02d:%02d' $(( 1 + i % 12 )) $(( 1 + i % 28 )) $(( i % 24 )) $(( i % 60 )) $(( i * 7 % 60 )))" \
    -OffsetTimeOriginal=+02:00 -ExposureTime="1/$(( 60 * (1 + i % 8) ))" -FNumber="$(( 2 + i % 7 )).8" \
    -ISO=$(( 100 * (1 + i % 16) )) -FocalLength=$(( 24 + i % 50 )) \
    -GPSLatitude="$(( 10 + i % 50 )).$(printf %04d $(( i * 97 % 10000 )))" -GPSLatitudeRef="$([ $(( i % 3 )) = 0 ] && echo S || echo N)" \
    -GPSLongitude="$(( i % 170 )).$(printf %04d $(( i * 31 % 10000 )))" -GPSLongitudeRef="$([ $(( i % 2 )) = 0 ] && echo W || echo E)" \
    -Orientation#="${orientations[$(( i % 8 ))]}" "$tmp/p.$kind" >/dev/null
  # Renamed into place once whole: a file in the corpus is a finished one.
  mv "$tmp/p.$kind" "$out"
  exit 0
fi

dir=$1 photos=$2 latency=$3 heic=$4 videos=$5 warmup=$6
mkdir -p "$dir/photos" "$dir/latency" "$dir/heic" "$dir/video" "$dir/warmup"
self=$(readlink -f "$0")
# Only what is missing is made: a larger corpus made earlier serves a smaller run too.
{
  for i in $(seq 1 "$photos"); do printf 'jpg %d %s/photos/p%04d.jpg\n' "$i" "$dir" "$i"; done
  # Other seeds than the batch's: distinct bytes (an upload of the same bytes is a duplicate).
  for i in $(seq 1 "$latency"); do printf 'jpg %d %s/latency/l%04d.jpg\n' $((100000 + i)) "$dir" "$i"; done
  for i in $(seq 1 "$heic"); do printf 'heic %d %s/heic/h%03d.heic\n' $((200000 + i)) "$dir" "$i"; done
  for i in $(seq 1 "$warmup"); do printf 'jpg %d %s/warmup/w%04d.jpg\n' $((300000 + i)) "$dir" "$i"; done
} | while read -r kind i out; do [ -e "$out" ] || echo "$kind $i $out"; done | xargs -r -P "$(nproc)" -L 1 "$self" one

for i in $(seq 1 "$videos"); do
  # 5 s of 1080p30 H.264; one in two then tagged to be shown turned a quarter, as phones record
  # (a stream copy: ffmpeg 5.1 sets the display matrix only when remuxing).
  v=$dir/video/v$(printf %02d "$i").mp4
  [ -e "$v" ] && continue
  ffmpeg -v error -nostdin -f lavfi -i "testsrc=s=1920x1080:rate=30:duration=5,hue=h=$(( i * 53 % 360 ))" \
    -c:v libx264 -preset veryfast -pix_fmt yuv420p -metadata creation_time="2024-07-$(printf %02d "$i")T10:00:00Z" -y "$v.tmp.mp4"
  if [ $(( i % 2 )) = 0 ]; then
    ffmpeg -v error -nostdin -i "$v.tmp.mp4" -c copy -metadata:s:v:0 rotate=90 -y "$v"; rm "$v.tmp.mp4"
  else
    mv "$v.tmp.mp4" "$v"
  fi
done

