package org.eucalypt.rendition;

import io.vertx.core.json.JsonObject;
import org.eucalypt.asset.PhotoMetadata;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** MetadataResponse's fields, read from tags exiftool wrote into real files. */
class MetadataTest {
  @TempDir
  Path dir;

  @BeforeAll
  static void tools() {
    Fixtures.requireTools("exiftool", "ffmpeg");
  }

  @Test
  void cameraExposureTimesGpsAndRatingAreRead() throws Exception {
    Path jpg = Fixtures.write(dir.resolve("camera.jpg"), Fixtures.quadrants(64, 48), "jpeg");
    Fixtures.run(dir, "exiftool", "-q", "-overwrite_original",
      "-Make=Canon", "-Model=Canon EOS R5", "-LensModel=RF24-70mm F2.8 L IS USM",
      "-ExposureTime=1/250", "-FNumber=2.8", "-ISO=400", "-FocalLength=50", "-ExposureCompensation=-0.7",
      "-Orientation#=6", "-DateTimeOriginal=2021:07:14 18:30:05", "-OffsetTimeOriginal=+02:00",
      "-CreateDate=2021:07:14 18:30:06", "-ModifyDate=2021:07:15 09:00:00",
      "-GPSLatitude=48.8584", "-GPSLatitudeRef=N", "-GPSLongitude=2.2945", "-GPSLongitudeRef=E",
      "-GPSAltitude=35.5", "-GPSAltitudeRef=0", "-EXIF:Rating=4", "-ImageDescription=Tour Eiffel",
      jpg.toString());

    PhotoMetadata.Details d = PhotoMetadata.read(jpg).details();
    assertEquals("Canon", d.make());
    assertEquals("Canon EOS R5", d.model());
    assertEquals("RF24-70mm F2.8 L IS USM", d.lensModel());
    assertEquals(0.004, d.exposureTime(), 1e-9);
    assertEquals(2.8, d.fNumber(), 1e-9);
    assertEquals(400, d.iso());
    assertEquals(50.0, d.focalLength(), 1e-9);
    assertEquals(-0.7, d.exposureBias(), 0.01);
    assertEquals(6, d.orientation());
    assertEquals("2021-07-14T18:30:05+02:00", d.originalDatetime());
    assertEquals("2021-07-14T18:30:06", d.digitizedDatetime(), "no offset written for it: wall-clock time alone");
    assertEquals("2021-07-15T09:00", d.modifiedDatetime());
    assertEquals("Etc/GMT-2", d.timezone());
    assertEquals(48.8584, d.latitude(), 1e-4);
    assertEquals(2.2945, d.longitude(), 1e-4);
    assertEquals(35.5, d.altitude(), 0.01);
    assertEquals(4, d.rating());
    assertEquals(64, d.rawWidth(), "stored size, before the quarter turn");
    assertEquals(48, d.rawHeight());
    assertEquals("Tour Eiffel", d.description());

    JsonObject json = d.toJson();
    assertEquals("Canon", json.getString("make"));
    assertEquals(2.8, json.getDouble("f_number"), 1e-9);
    assertEquals(48.8584, json.getDouble("latitude"), 1e-4);
  }

  @Test
  void southWestAndBelowSeaLevelAreNegative() throws Exception {
    Path jpg = Fixtures.write(dir.resolve("south.jpg"), Fixtures.quadrants(64, 48), "jpeg");
    Fixtures.run(dir, "exiftool", "-q", "-overwrite_original",
      "-GPSLatitude=33.8688", "-GPSLatitudeRef=S", "-GPSLongitude=70.6693", "-GPSLongitudeRef=W",
      "-GPSAltitude=28", "-GPSAltitudeRef#=1", "-XMP-xmp:Rating=3", jpg.toString());
    PhotoMetadata.Details d = PhotoMetadata.read(jpg).details();
    assertEquals(-33.8688, d.latitude(), 1e-4);
    assertEquals(-70.6693, d.longitude(), 1e-4);
    assertEquals(-28.0, d.altitude(), 0.01);
    assertEquals(3, d.rating(), "from XMP when EXIF has none");
  }

  @Test
  void aVideoHasNoRawSizeAndCarriesItsLivePhotoId() throws Exception {
    Path mp4 = Fixtures.video(dir);
    // As an iPhone writes it: a QuickTime "keys" entry, which ffmpeg writes when told to.
    Path clip = dir.resolve("live.mov");
    Fixtures.run(dir, "ffmpeg", "-v", "error", "-nostdin", "-i", mp4.toString(), "-c", "copy",
      "-metadata", "com.apple.quicktime.content.identifier=5A9F1C2E-3B4D-4E5F-8A9B-0C1D2E3F4A5B",
      "-movflags", "use_metadata_tags", "-y", clip.toString());
    PhotoMetadata.Details d = PhotoMetadata.read(clip).details();
    assertNull(d.rawWidth());
    assertNull(d.rawHeight());
    assertEquals("5A9F1C2E-3B4D-4E5F-8A9B-0C1D2E3F4A5B", d.livePhotoCid());
  }

  @Test
  void aPlainPictureHasNoDetails() throws Exception {
    Path png = Fixtures.write(dir.resolve("plain.png"), Fixtures.quadrants(64, 48), "png");
    PhotoMetadata.Details d = PhotoMetadata.read(png).details();
    assertNull(d.make());
    assertNull(d.latitude());
    assertNull(d.originalDatetime());
    assertEquals(64, d.rawWidth());
  }
}
