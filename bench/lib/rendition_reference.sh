#!/usr/bin/env bash
# The reference of bench/renditions.sh: a bare libvips batch making the very files eucalypt's
# rendition engine makes (org.eucalypt.rendition.ImageRenditions and VideoRenditions), with the
# same tools, sizes, formats, quality and flags, and nothing else: no header read, no ThumbHash,
# no metadata, no database, no blob store. Like the server, each variant is made from the one
# before it (the original decoded once), one libvips thread per process. Run once per file by
# xargs -P <the server's rendition workers>:
#
#   rendition_reference.sh ORIGINAL OUT_DIR
#
# Keep it in step with ImageRenditions.render and VideoRenditions.render.
set -euo pipefail
in=$1 out=$2
export VIPS_CONCURRENCY=1 VIPS_BLOCK_UNTRUSTED=1
mkdir -p "$out"
thumb() { # in out box [--fail-on truncated]
  local src=$1 dst=$2 box=$3; shift 3
  vips thumbnail "$src" "$dst[Q=80,strip]" "$box" --height "$box" --size down \
    --import-profile srgb --export-profile srgb "$@"
}
# A box larger than any picture with --size down: the whole picture (the server knows the size
# from its header; the result is the same).
FULL=100000
case $in in
  *.jpg)
    thumb "$in" "$out/preview.jpg" 1440 --fail-on truncated
    thumb "$out/preview.jpg" "$out/small.webp" 720
    thumb "$out/small.webp" "$out/thumbnail.webp" 360 ;;
  *.heic)
    thumb "$in" "$out/fullsize.jpg" $FULL --fail-on truncated
    thumb "$out/fullsize.jpg" "$out/preview.jpg" 1440
    thumb "$out/preview.jpg" "$out/small.webp" 720
    thumb "$out/small.webp" "$out/thumbnail.webp" 360 ;;
  *.mp4)
    # The corpus's videos are 5 s long: the server takes its still a second in, as here.
    ffmpeg -v error -nostdin -threads 1 -ss 1.000 -i "$in" -frames:v 1 -an -sn -dn -pix_fmt rgb24 \
      -compression_algo raw -y "$out/still.tif"
    thumb "$out/still.tif" "$out/fullsize.jpg" $FULL --fail-on truncated
    thumb "$out/fullsize.jpg" "$out/preview.jpg" 1440
    thumb "$out/preview.jpg" "$out/small.webp" 720
    thumb "$out/small.webp" "$out/thumbnail.webp" 360 ;;
  *) echo "rendition_reference.sh: what is $in?" >&2; exit 2 ;;
esac
