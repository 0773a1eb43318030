package org.eucalypt.rendition;

import org.eucalypt.support.Prerequisite;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Real image and video files made at test time with the real tools: ImageIO for plain pictures,
 * exiftool for their metadata, libvips for a colour profile, heif-enc for HEIC, ffmpeg for video.
 */
final class Fixtures {
  static final Color TOP_LEFT = Color.RED;
  static final Color TOP_RIGHT = Color.GREEN;
  static final Color BOTTOM_LEFT = Color.BLUE;
  static final Color BOTTOM_RIGHT = Color.WHITE;

  private Fixtures() {
  }

  static void requireTools(String... names) {
    Prerequisite.requireTools(names);
  }

  /** Runs a tool to make a fixture; a failure fails the test with what it printed. */
  static String run(Path dir, String... command) {
    try {
      Path log = Files.createTempFile(dir, "tool-", ".log");
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail(String.join(" ", command) + " did not finish within 60 s");
      }
      String out = Files.readString(log);
      if (p.exitValue() != 0) {
        fail(String.join(" ", command) + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** As displayed: four coloured quadrants, so each corner says where it ended up. */
  static BufferedImage quadrants(int width, int height) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(TOP_LEFT);
    g.fillRect(0, 0, width / 2, height / 2);
    g.setColor(TOP_RIGHT);
    g.fillRect(width / 2, 0, width - width / 2, height / 2);
    g.setColor(BOTTOM_LEFT);
    g.fillRect(0, height / 2, width / 2, height - height / 2);
    g.setColor(BOTTOM_RIGHT);
    g.fillRect(width / 2, height / 2, width - width / 2, height - height / 2);
    g.dispose();
    return img;
  }

  private static final java.util.concurrent.atomic.AtomicInteger SERIAL = new java.util.concurrent.atomic.AtomicInteger();

  /**
   * {@link #quadrants} with a serial number painted in the top-left quadrant, so that no two
   * calls encode to the same JPEG (the same bytes twice are one asset). The number is 16 bits as
   * black and white 8x8 squares, JPEG's own block size: one random pixel was not enough, as
   * JPEG's quantisation can round a single pixel's change away (a CI run uploaded "two" photos
   * that were byte for byte the same).
   */
  static BufferedImage distinctQuadrants(int width, int height) {
    BufferedImage img = quadrants(width, height);
    int serial = SERIAL.incrementAndGet();
    Graphics2D g = img.createGraphics();
    for (int bit = 0; bit < 16; bit++) {
      g.setColor((serial >> bit & 1) == 1 ? Color.WHITE : Color.BLACK);
      g.fillRect(width / 4 + bit % 4 * 8, height / 4 + bit / 4 * 8, 8, 8);
    }
    g.dispose();
    return img;
  }

  /**
   * A JPEG whose stored pixels, once turned as EXIF {@code orientation} says, show
   * {@code displayed}: each displayed pixel (x, y) is taken from where that orientation stores it.
   */
  static Path orientedJpeg(Path dir, BufferedImage displayed, int orientation) throws IOException {
    int w = displayed.getWidth();
    int h = displayed.getHeight();
    boolean turned = orientation >= 5;
    BufferedImage stored = new BufferedImage(turned ? h : w, turned ? w : h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int[] s = switch (orientation) {
          case 1 -> new int[] {x, y};
          case 2 -> new int[] {w - 1 - x, y};
          case 3 -> new int[] {w - 1 - x, h - 1 - y};
          case 4 -> new int[] {x, h - 1 - y};
          case 5 -> new int[] {y, x};
          case 6 -> new int[] {y, w - 1 - x};
          case 7 -> new int[] {h - 1 - y, w - 1 - x};
          case 8 -> new int[] {h - 1 - y, x};
          default -> throw new IllegalArgumentException("orientation " + orientation);
        };
        stored.setRGB(s[0], s[1], displayed.getRGB(x, y));
      }
    }
    Path file = write(dir.resolve("orientation-" + orientation + ".jpg"), stored, "jpeg");
    run(dir, "exiftool", "-q", "-overwrite_original", "-n", "-Orientation=" + orientation, file.toString());
    return file;
  }

  static Path write(Path file, BufferedImage img, String format) throws IOException {
    if (!ImageIO.write(img, format, file.toFile())) {
      throw new IllegalStateException("no ImageIO writer for " + format);
    }
    return file;
  }

  static BufferedImage solid(int width, int height, Color c) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(c);
    g.fillRect(0, 0, width, height);
    g.dispose();
    return img;
  }

  /** A picture of one sRGB colour, stored as Display P3 numbers with the P3 profile embedded. */
  static Path displayP3Jpeg(Path dir, Color srgb) throws IOException {
    Path png = write(dir.resolve("srgb.png"), solid(64, 48, srgb), "png");
    Path jpg = dir.resolve("display-p3.jpg");
    run(dir, "vips", "icc_transform", png.toString(), jpg + "[Q=95]", "p3", "--input-profile", "srgb");
    return jpg;
  }

  /** Left half opaque red, right half fully transparent. */
  static Path alphaPng(Path dir) throws IOException {
    BufferedImage img = new BufferedImage(80, 40, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.RED);
    g.fillRect(0, 0, 40, 40);
    g.dispose();
    return write(dir.resolve("alpha.png"), img, "png");
  }

  static Path heic(Path dir, int width, int height) throws IOException {
    Path png = write(dir.resolve("for-heic.png"), quadrants(width, height), "png");
    Path heic = dir.resolve("photo.heic");
    run(dir, "heif-enc", "-q", "90", "-o", heic.toString(), png.toString());
    return heic;
  }

  /** Two seconds of ffmpeg's test pattern, 320x240 at 25 fps, H.264 in MP4. */
  static Path video(Path dir) {
    Path mp4 = dir.resolve("clip.mp4");
    run(dir, "ffmpeg", "-v", "error", "-nostdin", "-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=25",
      "-pix_fmt", "yuv420p", "-y", mp4.toString());
    return mp4;
  }

  /** The first third of a real JPEG: the header is whole, most of the scan is missing. */
  static Path truncatedJpeg(Path dir) throws IOException {
    BufferedImage img = new BufferedImage(800, 600, BufferedImage.TYPE_INT_RGB);
    java.util.Random random = new java.util.Random(17);
    for (int y = 0; y < 600; y++) {
      for (int x = 0; x < 800; x++) {
        img.setRGB(x, y, random.nextInt());
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "jpeg", out);
    byte[] whole = out.toByteArray();
    return Files.write(dir.resolve("truncated.jpg"), java.util.Arrays.copyOf(whole, whole.length / 3));
  }

  /**
   * A decompression bomb: a valid 1-bit PNG of {@code side} x {@code side} pixels, all black,
   * which deflate squeezes to a few hundred KiB. Decoded to RGB it would take side² x 3 bytes.
   */
  static Path pixelBomb(Path dir, int side) throws IOException {
    Path file = dir.resolve("bomb.png");
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
      ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
      DataOutputStream d = new DataOutputStream(ihdr);
      d.writeInt(side);
      d.writeInt(side);
      d.writeByte(1); // bit depth
      d.writeByte(0); // greyscale
      d.writeByte(0);
      d.writeByte(0);
      d.writeByte(0);
      chunk(out, "IHDR", ihdr.toByteArray());
      ByteArrayOutputStream idat = new ByteArrayOutputStream();
      try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(Deflater.BEST_COMPRESSION))) {
        byte[] row = new byte[1 + (side + 7) / 8]; // filter byte 0, then the row's bits
        for (int y = 0; y < side; y++) {
          z.write(row);
        }
      }
      chunk(out, "IDAT", idat.toByteArray());
      chunk(out, "IEND", new byte[0]);
    }
    return file;
  }

  private static void chunk(OutputStream out, String type, byte[] data) throws IOException {
    DataOutputStream d = new DataOutputStream(out);
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    d.writeInt(data.length);
    d.write(t);
    d.write(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    d.writeInt((int) crc.getValue());
  }
}
