package org.eucalypt.asset;

import com.drew.imaging.ImageMetadataReader;
import com.drew.imaging.ImageProcessingException;
import com.drew.metadata.Directory;
import com.drew.metadata.Metadata;
import com.drew.metadata.bmp.BmpHeaderDirectory;
import com.drew.metadata.exif.ExifDirectoryBase;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifSubIFDDirectory;
import com.drew.metadata.exif.GpsDirectory;
import com.drew.metadata.exif.makernotes.AppleMakernoteDirectory;
import com.drew.metadata.gif.GifHeaderDirectory;
import com.drew.metadata.heif.HeifDirectory;
import com.drew.metadata.jpeg.JpegDirectory;
import com.drew.metadata.mov.QuickTimeDirectory;
import com.drew.metadata.mov.media.QuickTimeVideoDirectory;
import com.drew.metadata.mov.metadata.QuickTimeMetadataDirectory;
import com.drew.metadata.mp4.Mp4Directory;
import com.drew.metadata.mp4.media.Mp4VideoDirectory;
import com.drew.metadata.png.PngDirectory;
import com.drew.metadata.webp.WebpDirectory;
import com.drew.metadata.xmp.XmpDirectory;
import com.drew.lang.GeoLocation;
import com.drew.lang.Rational;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a photo's or video's own bytes say about it: displayed size, capture time and, for videos,
 * length, and the camera's {@link Details} ({@code include=metadata}). Any field may be null; a
 * file the library cannot make sense of gives all nulls.
 *
 * <p>{@link #read} does blocking file I/O and parsing: call it on a worker thread.
 */
public record PhotoMetadata(Integer width, Integer height, WallClock capturedAt, Double durationSeconds,
                            Details details) {

  static final PhotoMetadata NOTHING = new PhotoMetadata(null, null, null, null, Details.NONE);

  /** EXIF date-times are "yyyy:MM:dd HH:mm:ss"; some writers use '-' in the date part. */
  private static final Pattern EXIF_DATE_TIME =
    Pattern.compile("\\s*(\\d{4})[:-](\\d{2})[:-](\\d{2})[ T](\\d{2}):(\\d{2}):(\\d{2}).*");

  /** Apple's com.apple.quicktime.creationdate, e.g. "2021-07-14T18:30:05+0200". */
  private static final DateTimeFormatter APPLE_CREATION_DATE =
    DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss[XXX][XX][X]");

  /**
   * Reads the metadata of the file at {@code file}. Never throws for bad content: a missing,
   * empty, truncated or unrecognised file gives a record of nulls.
   */
  public static PhotoMetadata read(Path file) {
    Objects.requireNonNull(file, "file");
    try (InputStream in = Files.newInputStream(file)) {
      Metadata metadata = ImageMetadataReader.readMetadata(in, Files.size(file));
      int[] size = displayedSize(metadata);
      return new PhotoMetadata(
        size == null ? null : size[0],
        size == null ? null : size[1],
        capturedAt(metadata),
        durationSeconds(metadata),
        Details.of(metadata));
    } catch (ImageProcessingException | IOException | RuntimeException e) {
      // Hostile or broken files can make any parser trip over itself (index errors, negative
      // lengths...); an upload must still succeed, just without what we could not read.
      return NOTHING;
    }
  }

  // ---- capture time ----

  private static WallClock capturedAt(Metadata metadata) {
    WallClock fromExif = exifCaptureTime(metadata);
    return fromExif != null ? fromExif : videoCreationTime(metadata);
  }

  /**
   * EXIF times are the camera's local wall-clock time, which is what local_datetime is. When the
   * matching OffsetTime* tag says where that wall clock was, it becomes the offset; otherwise the
   * time stays naive: the instant is unknown.
   */
  private static WallClock exifCaptureTime(Metadata metadata) {
    ExifSubIFDDirectory exif = metadata.getFirstDirectoryOfType(ExifSubIFDDirectory.class);
    ExifIFD0Directory ifd0 = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
    WallClock t = exifTime(exif, ExifDirectoryBase.TAG_DATETIME_ORIGINAL, exif,
      ExifDirectoryBase.TAG_TIME_ZONE_ORIGINAL);
    if (t == null) {
      t = exifTime(exif, ExifDirectoryBase.TAG_DATETIME_DIGITIZED, exif, ExifDirectoryBase.TAG_TIME_ZONE_DIGITIZED);
    }
    if (t == null) {
      // IFD0 DateTime is the file's last-change time; its offset (OffsetTime) lives in the Exif SubIFD.
      t = exifTime(ifd0, ExifDirectoryBase.TAG_DATETIME, exif, ExifDirectoryBase.TAG_TIME_ZONE);
    }
    return t;
  }

  private static WallClock exifTime(Directory dir, int timeTag, Directory offsetDir, int offsetTag) {
    if (dir == null) {
      return null;
    }
    LocalDateTime local = parseExifDateTime(dir.getString(timeTag));
    if (local == null) {
      return null;
    }
    return new WallClock(local, offsetDir == null ? null : parseOffset(offsetDir.getString(offsetTag)));
  }

  /** Null for absent or placeholder values such as "0000:00:00 00:00:00" or blanks. */
  private static LocalDateTime parseExifDateTime(String s) {
    if (s == null) {
      return null;
    }
    Matcher m = EXIF_DATE_TIME.matcher(s);
    if (!m.matches()) {
      return null;
    }
    try {
      return LocalDateTime.of(
        Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
        Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)));
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** EXIF OffsetTime* values look like "+02:00"; blank "   :  " means unknown. */
  private static ZoneOffset parseOffset(String s) {
    if (s == null || s.isBlank()) {
      return null;
    }
    try {
      return ZoneOffset.of(s.trim());
    } catch (DateTimeException e) {
      return null;
    }
  }

  /**
   * Videos rarely carry EXIF. Apple's creationdate key keeps the local offset, so it comes first;
   * otherwise the movie header's creation time, which is UTC by definition: a known instant, shown
   * at offset zero since the device's own zone is unknown.
   */
  private static WallClock videoCreationTime(Metadata metadata) {
    for (QuickTimeMetadataDirectory dir : metadata.getDirectoriesOfType(QuickTimeMetadataDirectory.class)) {
      String s = dir.getString(QuickTimeMetadataDirectory.TAG_CREATION_DATE);
      if (s != null) {
        try {
          return WallClock.of(OffsetDateTime.parse(s.trim(), APPLE_CREATION_DATE));
        } catch (DateTimeException e) {
          // fall through to the movie header
        }
      }
    }
    Date created = firstDate(metadata, QuickTimeDirectory.class, QuickTimeDirectory.TAG_CREATION_TIME);
    if (created == null) {
      created = firstDate(metadata, Mp4Directory.class, Mp4Directory.TAG_CREATION_TIME);
    }
    // Many encoders leave the field 0, which the library turns into 1904-01-01 (the QuickTime epoch);
    // some write Unix seconds, so 0 lands on 1970 instead. Nothing at or before 1970 is a real
    // recording date for a digital video.
    if (created == null || !created.toInstant().isAfter(Instant.EPOCH)) {
      return null;
    }
    return WallClock.of(created.toInstant().atOffset(ZoneOffset.UTC));
  }

  private static Date firstDate(Metadata metadata, Class<? extends Directory> type, int tag) {
    for (Directory dir : metadata.getDirectoriesOfType(type)) {
      Date d = dir.getDate(tag);
      if (d != null) {
        return d;
      }
    }
    return null;
  }

  // ---- size ----

  /**
   * Where each format keeps its pixel size, in order of trust. EXIF comes first because some
   * containers' own fields describe a part, not the whole (a HEIC grid's first size box can be one tile).
   */
  private record SizeSource(Class<? extends Directory> type, int widthTag, int heightTag) {
  }

  private static final List<SizeSource> SIZE_SOURCES = List.of(
    new SizeSource(ExifSubIFDDirectory.class, ExifDirectoryBase.TAG_EXIF_IMAGE_WIDTH, ExifDirectoryBase.TAG_EXIF_IMAGE_HEIGHT),
    new SizeSource(JpegDirectory.class, JpegDirectory.TAG_IMAGE_WIDTH, JpegDirectory.TAG_IMAGE_HEIGHT),
    new SizeSource(PngDirectory.class, PngDirectory.TAG_IMAGE_WIDTH, PngDirectory.TAG_IMAGE_HEIGHT),
    new SizeSource(GifHeaderDirectory.class, GifHeaderDirectory.TAG_IMAGE_WIDTH, GifHeaderDirectory.TAG_IMAGE_HEIGHT),
    new SizeSource(WebpDirectory.class, WebpDirectory.TAG_IMAGE_WIDTH, WebpDirectory.TAG_IMAGE_HEIGHT),
    new SizeSource(BmpHeaderDirectory.class, BmpHeaderDirectory.TAG_IMAGE_WIDTH, BmpHeaderDirectory.TAG_IMAGE_HEIGHT),
    new SizeSource(HeifDirectory.class, HeifDirectory.TAG_IMAGE_WIDTH, HeifDirectory.TAG_IMAGE_HEIGHT),
    new SizeSource(QuickTimeVideoDirectory.class, QuickTimeVideoDirectory.TAG_WIDTH, QuickTimeVideoDirectory.TAG_HEIGHT),
    new SizeSource(Mp4VideoDirectory.class, Mp4VideoDirectory.TAG_WIDTH, Mp4VideoDirectory.TAG_HEIGHT),
    // Plain TIFF keeps its size in IFD0. Last, because in camera raw files IFD0 is often a preview.
    new SizeSource(ExifIFD0Directory.class, ExifDirectoryBase.TAG_IMAGE_WIDTH, ExifDirectoryBase.TAG_IMAGE_HEIGHT));

  /** {width, height} as the image is shown (after rotation), or null when unknown. */
  private static int[] displayedSize(Metadata metadata) {
    int[] stored = storedSize(metadata);
    if (stored == null) {
      return null;
    }
    // Clients lay out the image as displayed, and a quarter turn swaps the sides.
    return isQuarterTurned(metadata) ? new int[] {stored[1], stored[0]} : stored;
  }

  private static int[] storedSize(Metadata metadata) {
    for (SizeSource source : SIZE_SOURCES) {
      for (Directory dir : metadata.getDirectoriesOfType(source.type())) {
        Integer w = dir.getInteger(source.widthTag());
        Integer h = dir.getInteger(source.heightTag());
        if (w == null || h == null) {
          continue;
        }
        if (dir instanceof BmpHeaderDirectory) {
          // A negative BMP height only means the rows are stored top-down.
          w = Math.abs(w);
          h = Math.abs(h);
        }
        if (w > 0 && h > 0) {
          return new int[] {w, h};
        }
      }
    }
    return null;
  }

  /** EXIF orientations 5-8 and video rotations of 90/270 degrees display the picture on its side. */
  private static boolean isQuarterTurned(Metadata metadata) {
    ExifIFD0Directory ifd0 = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
    Integer orientation = ifd0 == null ? null : ifd0.getInteger(ExifDirectoryBase.TAG_ORIENTATION);
    if (orientation != null && orientation >= 5 && orientation <= 8) {
      return true;
    }
    // The library keeps the track matrix's rotation in degrees, under a different tag per container.
    return isQuarterTurn(firstDouble(metadata, QuickTimeDirectory.class, QuickTimeDirectory.TAG_ROTATION))
      || isQuarterTurn(firstDouble(metadata, Mp4Directory.class, Mp4Directory.TAG_ROTATION));
  }

  private static boolean isQuarterTurn(Double degrees) {
    if (degrees == null || degrees.isNaN() || degrees.isInfinite()) {
      return false;
    }
    long normalised = Math.floorMod(Math.round(degrees), 360L);
    return normalised == 90 || normalised == 270;
  }

  // ---- duration ----

  /** Movie header duration counts time-scale units; absent, zero or all-ones (the "unknown" marker) gives null. */
  private static Double durationSeconds(Metadata metadata) {
    Double seconds = headerDuration(metadata, QuickTimeDirectory.class,
      QuickTimeDirectory.TAG_DURATION, QuickTimeDirectory.TAG_TIME_SCALE);
    return seconds != null ? seconds
      : headerDuration(metadata, Mp4Directory.class, Mp4Directory.TAG_DURATION, Mp4Directory.TAG_TIME_SCALE);
  }

  private static Double headerDuration(Metadata metadata, Class<? extends Directory> type, int durationTag,
                                       int timeScaleTag) {
    for (Directory dir : metadata.getDirectoriesOfType(type)) {
      Long duration = dir.getLongObject(durationTag);
      Long timeScale = dir.getLongObject(timeScaleTag);
      if (duration != null && timeScale != null && duration > 0 && duration != 0xFFFF_FFFFL && timeScale > 0) {
        return duration / (double) timeScale;
      }
    }
    return null;
  }

  private static Double firstDouble(Metadata metadata, Class<? extends Directory> type, int tag) {
    for (Directory dir : metadata.getDirectoriesOfType(type)) {
      Double d = dir.getDoubleObject(tag);
      if (d != null) {
        return d;
      }
    }
    return null;
  }

  // ---- details, as Gumnut's MetadataResponse has them ----

  /**
   * The camera's and the file's own facts. Times keep the offset the file gives; without one
   * they are the wall-clock time as written, with no offset. {@code timezone} is an IANA name
   * only when the offset is a whole number of hours ({@code Etc/GMT-2} for +02:00): EXIF
   * records offsets, not places. Raw size is the stored size, before orientation.
   */
  public record Details(String make, String model, String lensModel, Double exposureTime, Double fNumber,
                        Integer iso, Double focalLength, Double exposureBias, Integer orientation,
                        String originalDatetime, String digitizedDatetime, String modifiedDatetime, String timezone,
                        Double latitude, Double longitude, Double altitude, Integer rating, Integer rawWidth,
                        Integer rawHeight, String livePhotoCid, String description) {

    public static final Details NONE = new Details(null, null, null, null, null, null, null, null, null, null, null,
      null, null, null, null, null, null, null, null, null, null);

    static Details of(Metadata metadata) {
      ExifIFD0Directory ifd0 = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
      ExifSubIFDDirectory exif = metadata.getFirstDirectoryOfType(ExifSubIFDDirectory.class);
      GpsDirectory gps = metadata.getFirstDirectoryOfType(GpsDirectory.class);
      ZoneOffset originalOffset = exif == null ? null : parseOffset(exif.getString(ExifDirectoryBase.TAG_TIME_ZONE_ORIGINAL));
      GeoLocation where = gps == null ? null : gps.getGeoLocation();
      int[] raw = storedSize(metadata);
      boolean isVideo = metadata.containsDirectoryOfType(QuickTimeDirectory.class)
        || metadata.containsDirectoryOfType(Mp4Directory.class);
      return new Details(
        text(ifd0, ExifDirectoryBase.TAG_MAKE),
        text(ifd0, ExifDirectoryBase.TAG_MODEL),
        text(exif, ExifDirectoryBase.TAG_LENS_MODEL),
        number(exif, ExifDirectoryBase.TAG_EXPOSURE_TIME),
        number(exif, ExifDirectoryBase.TAG_FNUMBER),
        exif == null ? null : exif.getInteger(ExifDirectoryBase.TAG_ISO_EQUIVALENT),
        number(exif, ExifDirectoryBase.TAG_FOCAL_LENGTH),
        number(exif, ExifDirectoryBase.TAG_EXPOSURE_BIAS),
        ifd0 == null ? null : ifd0.getInteger(ExifDirectoryBase.TAG_ORIENTATION),
        stamp(exif, ExifDirectoryBase.TAG_DATETIME_ORIGINAL, exif, ExifDirectoryBase.TAG_TIME_ZONE_ORIGINAL),
        stamp(exif, ExifDirectoryBase.TAG_DATETIME_DIGITIZED, exif, ExifDirectoryBase.TAG_TIME_ZONE_DIGITIZED),
        stamp(ifd0, ExifDirectoryBase.TAG_DATETIME, exif, ExifDirectoryBase.TAG_TIME_ZONE),
        ianaName(originalOffset),
        where == null || where.isZero() ? null : where.getLatitude(),
        where == null || where.isZero() ? null : where.getLongitude(),
        altitude(gps),
        rating(ifd0, metadata),
        raw == null || isVideo ? null : raw[0],
        raw == null || isVideo ? null : raw[1],
        livePhotoCid(metadata),
        text(ifd0, ExifDirectoryBase.TAG_IMAGE_DESCRIPTION));
    }

    /** MetadataResponse's fields (without the asset id and the record's own times). */
    public JsonObject toJson() {
      return new JsonObject()
        .put("make", make).put("model", model).put("lens_model", lensModel)
        .put("exposure_time", exposureTime).put("f_number", fNumber).put("iso", iso)
        .put("focal_length", focalLength).put("exposure_bias", exposureBias).put("orientation", orientation)
        .put("original_datetime", originalDatetime).put("digitized_datetime", digitizedDatetime)
        .put("modified_datetime", modifiedDatetime).put("timezone", timezone)
        .put("latitude", latitude).put("longitude", longitude).put("altitude", altitude)
        .put("rating", rating).put("raw_width", rawWidth).put("raw_height", rawHeight)
        .put("live_photo_cid", livePhotoCid).put("description", description);
    }

    private static String text(Directory dir, int tag) {
      String s = dir == null ? null : dir.getString(tag);
      return s == null || s.isBlank() ? null : s.strip();
    }

    private static Double number(Directory dir, int tag) {
      if (dir == null) {
        return null;
      }
      Rational r = dir.getRational(tag);
      if (r != null) {
        return r.getDenominator() == 0 ? null : r.doubleValue();
      }
      return dir.getDoubleObject(tag);
    }

    /** ISO 8601 with the offset when the file gives one, else the wall-clock time alone. */
    private static String stamp(Directory dir, int timeTag, Directory offsetDir, int offsetTag) {
      LocalDateTime local = dir == null ? null : parseExifDateTime(dir.getString(timeTag));
      if (local == null) {
        return null;
      }
      ZoneOffset offset = offsetDir == null ? null : parseOffset(offsetDir.getString(offsetTag));
      return offset == null ? local.toString() : local.atOffset(offset).toString();
    }

    /** The tz database's fixed-offset zones name whole hours only, with the sign inverted. */
    private static String ianaName(ZoneOffset offset) {
      if (offset == null || offset.getTotalSeconds() % 3600 != 0) {
        return null;
      }
      int hours = offset.getTotalSeconds() / 3600;
      return hours == 0 ? "Etc/UTC" : "Etc/GMT" + (hours > 0 ? "-" : "+") + Math.abs(hours);
    }

    /** Metres; reference 1 means below sea level. */
    private static Double altitude(GpsDirectory gps) {
      Double metres = number(gps, GpsDirectory.TAG_ALTITUDE);
      if (metres == null) {
        return null;
      }
      Integer ref = gps.getInteger(GpsDirectory.TAG_ALTITUDE_REF);
      return ref != null && ref == 1 ? -metres : metres;
    }

    /** EXIF's Rating (Windows writes it), else XMP's xmp:Rating (Lightroom and most others). */
    private static Integer rating(ExifIFD0Directory ifd0, Metadata metadata) {
      Integer exif = ifd0 == null ? null : ifd0.getInteger(ExifDirectoryBase.TAG_RATING);
      if (exif != null) {
        return exif;
      }
      XmpDirectory xmp = metadata.getFirstDirectoryOfType(XmpDirectory.class);
      String s = xmp == null ? null : xmp.getXmpProperties().get("xmp:Rating");
      try {
        return s == null ? null : (int) Math.round(Double.parseDouble(s));
      } catch (NumberFormatException e) {
        return null;
      }
    }

    /** Apple pairs a Live Photo's still and video by this id: the still's maker note, the video's metadata. */
    private static String livePhotoCid(Metadata metadata) {
      String still = text(metadata.getFirstDirectoryOfType(AppleMakernoteDirectory.class),
        AppleMakernoteDirectory.TAG_CONTENT_IDENTIFIER);
      return still != null ? still : text(metadata.getFirstDirectoryOfType(QuickTimeMetadataDirectory.class),
        QuickTimeMetadataDirectory.TAG_CONTENT_IDENTIFIER);
    }
  }
}
