package org.eucalypt.rendition;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.List;

/**
 * A video's facts from {@code ffprobe} and its still from {@code ffmpeg}, both child processes
 * under the same limits as libvips; the still then gets an image's variants, all of them
 * including full size (a video has no web-viewable original picture).
 */
public final class VideoRenditions {
  private final RenditionLimits limits;
  private final ImageRenditions images;

  public VideoRenditions(RenditionLimits limits, ImageRenditions images) {
    this.limits = limits;
    this.images = images;
  }

  /** Length in seconds and frame rate (either may be unknown), and the frame size as displayed. */
  public record Probe(Double durationSeconds, Double fps, int width, int height) {
  }

  public Probe probe(Path video, Path workDir) throws RenditionException {
    String out = ChildProcesses.runOk(List.of("ffprobe", "-v", "error", "-print_format", "json",
      "-show_format", "-show_streams", video.toString()), workDir, limits.timeout());
    JsonObject json;
    try {
      json = new JsonObject(out);
    } catch (DecodeException e) {
      throw new RenditionException("ffprobe gave an answer that is not JSON");
    }
    JsonObject stream = firstVideoStream(json.getJsonArray("streams", new JsonArray()));
    if (stream == null) {
      throw new RenditionException("the file has no video stream");
    }
    int width = stream.getInteger("width", 0);
    int height = stream.getInteger("height", 0);
    if (width <= 0 || height <= 0) {
      throw new RenditionException("the video stream has no frame size");
    }
    if (isQuarterTurned(stream)) {
      int w = width;
      width = height;
      height = w;
    }
    Double duration = positive(json.getJsonObject("format", new JsonObject()).getString("duration"));
    if (duration == null) {
      duration = positive(stream.getString("duration"));
    }
    return new Probe(duration, rate(stream.getString("avg_frame_rate")), width, height);
  }

  /** The still and its variants, made from the frame a second in (or mid-way through a shorter video). */
  public Rendered render(Path video, Probe probe, Path workDir) throws RenditionException {
    ImageRenditions.checkPixels(probe.width(), probe.height(), limits.maxPixels());
    double at = probe.durationSeconds() == null ? 0 : Math.min(1.0, probe.durationSeconds() / 2);
    // An uncompressed RGB TIFF: the still costs no encoding, and libvips trusts its TIFF loader
    // (not its PPM one). ffmpeg applies the rotation itself.
    Path still = workDir.resolve("still.tif");
    ChildProcesses.runOk(List.of("ffmpeg", "-v", "error", "-nostdin", "-threads", "1",
      "-ss", String.format(java.util.Locale.ROOT, "%.3f", at), "-i", video.toString(),
      "-frames:v", "1", "-an", "-sn", "-dn", "-pix_fmt", "rgb24", "-compression_algo", "raw", "-y", still.toString()), workDir, limits.timeout());
    if (!still.toFile().isFile()) {
      throw new RenditionException("ffmpeg found no frame to take a still from");
    }
    return images.render(still, workDir, true);
  }

  private static JsonObject firstVideoStream(JsonArray streams) {
    for (int i = 0; i < streams.size(); i++) {
      JsonObject s = streams.getJsonObject(i);
      // Cover art in an audio file is a "video" stream too; it is not a video.
      boolean coverArt = s.getJsonObject("disposition", new JsonObject()).getInteger("attached_pic", 0) == 1;
      if ("video".equals(s.getString("codec_type")) && !coverArt) {
        return s;
      }
    }
    return null;
  }

  /** Phones record upright video as landscape frames with a display matrix turning them. */
  private static boolean isQuarterTurned(JsonObject stream) {
    JsonArray sideData = stream.getJsonArray("side_data_list", new JsonArray());
    for (int i = 0; i < sideData.size(); i++) {
      Object rotation = sideData.getJsonObject(i).getValue("rotation");
      if (rotation instanceof Number n) {
        long r = Math.floorMod(Math.round(n.doubleValue()), 360L);
        return r == 90 || r == 270;
      }
    }
    return false;
  }

  /** "30000/1001" as a number; "0/0" (unknown) as null. */
  private static Double rate(String fraction) {
    if (fraction == null) {
      return null;
    }
    String[] parts = fraction.split("/");
    try {
      double num = Double.parseDouble(parts[0]);
      double den = parts.length > 1 ? Double.parseDouble(parts[1]) : 1;
      return den > 0 && num > 0 ? num / den : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Double positive(String s) {
    if (s == null) {
      return null;
    }
    try {
      double d = Double.parseDouble(s);
      return d > 0 && Double.isFinite(d) ? d : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
