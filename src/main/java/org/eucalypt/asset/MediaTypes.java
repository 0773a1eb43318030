package org.eucalypt.asset;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Which files are photos or videos: by extension first, as Gumnut does, then by declared type. */
public final class MediaTypes {
  private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
    Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"), Map.entry("jpe", "image/jpeg"),
    Map.entry("png", "image/png"), Map.entry("gif", "image/gif"), Map.entry("webp", "image/webp"),
    Map.entry("heic", "image/heic"), Map.entry("heif", "image/heif"), Map.entry("avif", "image/avif"),
    Map.entry("tif", "image/tiff"), Map.entry("tiff", "image/tiff"), Map.entry("bmp", "image/bmp"),
    Map.entry("jxl", "image/jxl"), Map.entry("dng", "image/x-adobe-dng"), Map.entry("cr2", "image/x-canon-cr2"),
    Map.entry("cr3", "image/x-canon-cr3"), Map.entry("nef", "image/x-nikon-nef"), Map.entry("arw", "image/x-sony-arw"),
    Map.entry("orf", "image/x-olympus-orf"), Map.entry("rw2", "image/x-panasonic-rw2"), Map.entry("raf", "image/x-fuji-raf"),
    Map.entry("mp4", "video/mp4"), Map.entry("m4v", "video/x-m4v"), Map.entry("mov", "video/quicktime"),
    Map.entry("avi", "video/x-msvideo"), Map.entry("mkv", "video/x-matroska"), Map.entry("webm", "video/webm"),
    Map.entry("3gp", "video/3gpp"), Map.entry("mts", "video/mp2t"), Map.entry("m2ts", "video/mp2t"),
    Map.entry("mpg", "video/mpeg"), Map.entry("mpeg", "video/mpeg"), Map.entry("wmv", "video/x-ms-wmv"));

  private MediaTypes() {
  }

  /** The media type of an upload, or empty when it is neither an image nor a video. */
  public static Optional<String> of(String fileName, String declaredType) {
    int dot = fileName == null ? -1 : fileName.lastIndexOf('.');
    if (dot >= 0) {
      String byExtension = BY_EXTENSION.get(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
      if (byExtension != null) {
        return Optional.of(byExtension);
      }
    }
    if (declaredType != null) {
      String t = declaredType.toLowerCase(Locale.ROOT).split(";")[0].trim();
      if ((t.startsWith("image/") || t.startsWith("video/")) && t.matches("[a-z]+/[a-z0-9.+-]+")) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
