package org.eucalypt.asset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Fixtures are drawn with ImageIO and given EXIF built byte by byte, so no binaries live in the repo. */
class PhotoMetadataTest {
  private static final PhotoMetadata NOTHING = PhotoMetadata.NOTHING;

  @TempDir
  Path dir;

  @Test
  void jpegWithExifGivesSizeAndCaptureTimeWithItsOffset() throws IOException {
    Path file = write("photo.jpg", withExif(jpeg(64, 48), new Exif()
      .orientation(1)
      .dateTimeOriginal("2021:07:14 18:30:05")
      .offsetTimeOriginal("+02:00")
      .exifImageSize(64, 48)));

    PhotoMetadata m = PhotoMetadata.read(file);

    assertEquals(64, m.width());
    assertEquals(48, m.height());
    assertEquals(WallClock.parse("2021-07-14T18:30:05+02:00"), m.capturedAt());
    assertNull(m.durationSeconds());
  }

  @Test
  void quarterTurnOrientationSwapsWidthAndHeight() throws IOException {
    Path file = write("rotated.jpg", withExif(jpeg(64, 48), new Exif()
      .orientation(6)
      .dateTimeOriginal("2021:07:14 18:30:05")
      .offsetTimeOriginal("+02:00")
      .exifImageSize(64, 48)));

    PhotoMetadata m = PhotoMetadata.read(file);

    assertEquals(48, m.width());
    assertEquals(64, m.height());
    assertEquals(WallClock.parse("2021-07-14T18:30:05+02:00"), m.capturedAt());
  }

  @Test
  void withoutAnOffsetTheWallClockTimeIsNaive() throws IOException {
    Path file = write("no-offset.jpg", withExif(jpeg(64, 48), new Exif()
      .orientation(1)
      .dateTimeOriginal("2021:07:14 18:30:05")
      .exifImageSize(64, 48)));

    assertEquals(WallClock.naive(LocalDateTime.parse("2021-07-14T18:30:05")), PhotoMetadata.read(file).capturedAt());
  }

  @Test
  void jpegWithoutExifStillHasItsSize() throws IOException {
    Path file = write("plain.jpg", jpeg(64, 48));

    assertSizeOnly(64, 48, PhotoMetadata.read(file));
  }

  @Test
  void pngGivesSizeAndNoCaptureTime() throws IOException {
    Path file = write("image.png", encode(image(64, 48), "png"));

    assertSizeOnly(64, 48, PhotoMetadata.read(file));
  }

  @Test
  void randomBytesGiveNothing() throws IOException {
    byte[] noise = new byte[4096];
    new Random(42).nextBytes(noise);

    assertEquals(NOTHING, PhotoMetadata.read(write("noise.jpg", noise)));
  }

  @Test
  void emptyFileGivesNothing() throws IOException {
    assertEquals(NOTHING, PhotoMetadata.read(write("empty.jpg", new byte[0])));
  }

  @Test
  void jpegCutOffInsideItsHeaderGivesNothing() throws IOException {
    byte[] whole = withExif(jpeg(64, 48), new Exif()
      .orientation(1)
      .dateTimeOriginal("2021:07:14 18:30:05")
      .exifImageSize(64, 48));
    // 40 bytes: the SOI marker and part of the EXIF segment, nothing after.
    Path file = write("truncated.jpg", Arrays.copyOf(whole, 40));

    assertEquals(NOTHING, PhotoMetadata.read(file));
  }

  @Test
  void missingFileGivesNothing() {
    assertEquals(NOTHING, PhotoMetadata.read(dir.resolve("not-there.jpg")));
  }

  private static void assertSizeOnly(int width, int height, PhotoMetadata m) {
    assertEquals(width, m.width());
    assertEquals(height, m.height());
    assertNull(m.capturedAt());
    assertNull(m.durationSeconds());
  }

  // ---- fixtures ----

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  private static BufferedImage image(int width, int height) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.ORANGE);
    g.fillRect(0, 0, width / 2, height);
    g.dispose();
    return img;
  }

  /** Also the fixture of AssetLifecycleTest. */
  static byte[] jpeg(int width, int height) {
    return encode(image(width, height), "jpeg");
  }

  private static byte[] encode(BufferedImage img, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(img, format, out)) {
        throw new IllegalStateException("no ImageIO writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The JPEG with an EXIF APP1 segment inserted right after its SOI marker (FF D8). */
  static byte[] withExif(byte[] jpeg, Exif exif) {
    byte[] app1 = exif.app1Segment();
    byte[] out = new byte[jpeg.length + app1.length];
    System.arraycopy(jpeg, 0, out, 0, 2);
    System.arraycopy(app1, 0, out, 2, app1.length);
    System.arraycopy(jpeg, 2, out, 2 + app1.length, jpeg.length - 2);
    return out;
  }

  /**
   * Just enough of a big-endian ("MM") TIFF/EXIF writer for these tests: IFD0, holding Orientation
   * and the pointer to the Exif SubIFD, then the SubIFD with the date and size tags.
   */
  static final class Exif {
    private static final int ASCII = 2;
    private static final int SHORT = 3;
    private static final int LONG = 4;
    private static final int TAG_ORIENTATION = 0x0112;
    private static final int TAG_EXIF_IFD_POINTER = 0x8769;
    private static final int TAG_DATE_TIME_ORIGINAL = 0x9003;
    private static final int TAG_OFFSET_TIME_ORIGINAL = 0x9011;
    private static final int TAG_EXIF_IMAGE_WIDTH = 0xA002;
    private static final int TAG_EXIF_IMAGE_HEIGHT = 0xA003;

    /** One directory entry: its type, its count, and its value's bytes (already big-endian). */
    private record Entry(int type, int count, byte[] value) {
    }

    // TIFF wants each IFD's entries sorted by tag; TreeMap keeps them so.
    private final Map<Integer, Entry> ifd0 = new TreeMap<>();
    private final Map<Integer, Entry> subIfd = new TreeMap<>();

    Exif orientation(int value) {
      ifd0.put(TAG_ORIENTATION, shortValue(value));
      return this;
    }

    Exif dateTimeOriginal(String value) {
      subIfd.put(TAG_DATE_TIME_ORIGINAL, ascii(value));
      return this;
    }

    Exif offsetTimeOriginal(String value) {
      subIfd.put(TAG_OFFSET_TIME_ORIGINAL, ascii(value));
      return this;
    }

    Exif exifImageSize(int width, int height) {
      subIfd.put(TAG_EXIF_IMAGE_WIDTH, longValue(width));
      subIfd.put(TAG_EXIF_IMAGE_HEIGHT, longValue(height));
      return this;
    }

    /** FF E1, the segment length, "Exif\0\0", then the TIFF structure. */
    byte[] app1Segment() {
      byte[] tiff = tiff();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      try {
        out.writeShort(0xFFE1);
        out.writeShort(2 + 6 + tiff.length); // the length counts itself, not the marker
        out.write("Exif\0\0".getBytes(StandardCharsets.US_ASCII));
        out.write(tiff);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return bytes.toByteArray();
    }

    /** Header, IFD0 at offset 8, the SubIFD straight after IFD0 and its data. Offsets count from "MM". */
    private byte[] tiff() {
      Map<Integer, Entry> first = new TreeMap<>(ifd0);
      first.put(TAG_EXIF_IFD_POINTER, longValue(0)); // placeholder, to measure IFD0
      int subIfdOffset = 8 + ifd(first, 8).length;
      first.put(TAG_EXIF_IFD_POINTER, longValue(subIfdOffset));

      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      try {
        out.writeBytes("MM");
        out.writeShort(42);
        out.writeInt(8);
        out.write(ifd(first, 8));
        out.write(ifd(subIfd, subIfdOffset));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return bytes.toByteArray();
    }

    /**
     * One IFD placed at {@code at}: entry count, 12-byte entries, a zero "next IFD" offset, then the
     * values too big for an entry's 4-byte slot, which the entries point at.
     */
    private static byte[] ifd(Map<Integer, Entry> entries, int at) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      ByteArrayOutputStream overflow = new ByteArrayOutputStream();
      int overflowStart = at + 2 + 12 * entries.size() + 4;
      try {
        out.writeShort(entries.size());
        for (Map.Entry<Integer, Entry> e : entries.entrySet()) {
          Entry entry = e.getValue();
          out.writeShort(e.getKey());
          out.writeShort(entry.type());
          out.writeInt(entry.count());
          if (entry.value().length <= 4) {
            out.write(Arrays.copyOf(entry.value(), 4)); // left-justified in the slot
          } else {
            out.writeInt(overflowStart + overflow.size());
            overflow.write(entry.value());
            if (overflow.size() % 2 == 1) {
              overflow.write(0); // values start on word boundaries
            }
          }
        }
        out.writeInt(0);
        out.write(overflow.toByteArray());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return bytes.toByteArray();
    }

    private static Entry ascii(String s) {
      byte[] text = (s + "\0").getBytes(StandardCharsets.US_ASCII);
      return new Entry(ASCII, text.length, text);
    }

    private static Entry shortValue(int v) {
      return new Entry(SHORT, 1, new byte[] {(byte) (v >> 8), (byte) v});
    }

    private static Entry longValue(int v) {
      return new Entry(LONG, 1, new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v});
    }
  }
}
