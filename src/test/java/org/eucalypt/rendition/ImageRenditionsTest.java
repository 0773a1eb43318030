package org.eucalypt.rendition;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real files through real libvips and ffmpeg: orientation, colour, alpha, HEIC, video, damage, bombs. */
class ImageRenditionsTest {
  private static final RenditionLimits LIMITS = new RenditionLimits(1, Duration.ofSeconds(60), 200_000_000L);
  private final ImageRenditions images = new ImageRenditions(LIMITS);

  @TempDir
  Path dir;

  @BeforeAll
  static void tools() {
    Fixtures.requireTools("vips", "vipsheader", "ffmpeg", "ffprobe", "heif-enc", "exiftool");
  }

  private Path work() throws Exception {
    return Files.createTempDirectory(dir, "work-");
  }

  private static Map<Variant, Rendered.Made> byVariant(Rendered r) {
    return r.variants().stream().collect(Collectors.toMap(Rendered.Made::variant, Function.identity()));
  }

  private static void assertColour(Color expected, int argb, String where) {
    Color c = new Color(argb);
    int tolerance = 40; // JPEG, then resizing, blur the edges; the quadrants' middles stay clear
    assertTrue(Math.abs(c.getRed() - expected.getRed()) < tolerance
        && Math.abs(c.getGreen() - expected.getGreen()) < tolerance
        && Math.abs(c.getBlue() - expected.getBlue()) < tolerance,
      where + ": expected " + expected + ", got " + c);
  }

  @ParameterizedTest(name = "EXIF orientation {0}")
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void everyOrientationEndsUpright(int orientation) throws Exception {
    Path original = Fixtures.orientedJpeg(dir, Fixtures.quadrants(160, 80), orientation);
    Rendered r = images.render(original, work(), false);
    Map<Variant, Rendered.Made> v = byVariant(r);
    assertFalse(v.containsKey(Variant.FULLSIZE), "a JPEG is its own full size");

    Rendered.Made preview = v.get(Variant.PREVIEW);
    assertEquals("image/jpeg", preview.mimeType());
    assertEquals(160, preview.width(), "never enlarged, and turned upright");
    assertEquals(80, preview.height());
    BufferedImage img = ImageIO.read(preview.file().toFile());
    assertEquals(160, img.getWidth());
    assertColour(Fixtures.TOP_LEFT, img.getRGB(20, 20), "top left");
    assertColour(Fixtures.TOP_RIGHT, img.getRGB(140, 20), "top right");
    assertColour(Fixtures.BOTTOM_LEFT, img.getRGB(20, 60), "bottom left");
    assertColour(Fixtures.BOTTOM_RIGHT, img.getRGB(140, 60), "bottom right");

    assertEquals("image/webp", v.get(Variant.THUMBNAIL).mimeType());
    assertEquals(160, v.get(Variant.THUMBNAIL).width(), "landscape stays landscape in every variant");
    assertEquals(80, v.get(Variant.THUMBNAIL).height());
    assertEquals(2.0, ThumbHashDecoder.aspectRatio(Base64.getDecoder().decode(r.thumbhash())), 0.3);
  }

  @Test
  void sizesAreFittedIntoTheirBoxes() throws Exception {
    Path original = Fixtures.write(dir.resolve("big.jpg"), Fixtures.quadrants(3000, 2000), "jpeg");
    Map<Variant, Rendered.Made> v = byVariant(images.render(original, work(), false));
    assertEquals(1440, v.get(Variant.PREVIEW).width());
    assertEquals(960, v.get(Variant.PREVIEW).height());
    assertEquals(720, v.get(Variant.SMALL).width());
    assertEquals(360, v.get(Variant.THUMBNAIL).width());
    assertEquals(240, v.get(Variant.THUMBNAIL).height());
    for (Rendered.Made m : v.values()) {
      assertEquals(Files.size(m.file()), m.bytes());
      assertTrue(m.bytes() > 0);
    }
  }

  @Test
  void anEmbeddedProfileIsConvertedToSrgb() throws Exception {
    Color srgb = new Color(200, 100, 50);
    Path p3 = Fixtures.displayP3Jpeg(dir, srgb);
    // The stored numbers are P3 numbers, far from the sRGB colour they stand for...
    String[] stored = Fixtures.run(dir, "vips", "getpoint", p3.toString(), "10", "10").strip().split("\\s+");
    assertTrue(Math.abs(Integer.parseInt(stored[0]) - 200) > 8, "P3 red differs from sRGB red: " + String.join(" ", stored));
    // ...and the preview shows the sRGB colour again.
    Rendered.Made preview = byVariant(images.render(p3, work(), false)).get(Variant.PREVIEW);
    Color c = new Color(ImageIO.read(preview.file().toFile()).getRGB(10, 10));
    assertEquals(200, c.getRed(), 6);
    assertEquals(100, c.getGreen(), 6);
    assertEquals(50, c.getBlue(), 6);
  }

  @Test
  void transparencyIsKept() throws Exception {
    Rendered r = images.render(Fixtures.alphaPng(dir), work(), false);
    Map<Variant, Rendered.Made> v = byVariant(r);
    assertEquals("image/webp", v.get(Variant.PREVIEW).mimeType(), "JPEG would lose the alpha");
    assertFalse(v.containsKey(Variant.FULLSIZE), "a PNG is its own full size");
    String bands = Fixtures.run(dir, "vipsheader", "-f", "bands", v.get(Variant.PREVIEW).file().toString()).strip();
    assertEquals("4", bands);
    byte[] hash = Base64.getDecoder().decode(r.thumbhash());
    assertTrue(ThumbHashDecoder.header(hash).hasAlpha());
    assertEquals(1.0, ThumbHashDecoder.averageRgba(hash)[0], 0.08, "the placeholder is the opaque part's red");
  }

  @Test
  void greyAndCmykPhotosComeOutAsSrgbJpegs() throws Exception {
    BufferedImage grey = new BufferedImage(400, 300, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setSample(0, 0, 0, 200);
    Path greyJpeg = Fixtures.write(dir.resolve("grey.jpg"), grey, "jpeg");
    Path cmyk = dir.resolve("cmyk.jpg");
    Fixtures.run(dir, "vips", "icc_transform", Fixtures.write(dir.resolve("rgb.png"),
      Fixtures.quadrants(400, 300), "png").toString(), cmyk.toString(), "cmyk", "--input-profile", "srgb");
    assertTrue(Fixtures.run(dir, "vipsheader", cmyk.toString()).contains("4 bands, cmyk"));
    for (Path original : List.of(greyJpeg, cmyk)) {
      Rendered r = images.render(original, work(), false);
      Map<Variant, Rendered.Made> v = byVariant(r);
      // CMYK's four bands are no transparency: a JPEG preview, as for any opaque photo.
      assertEquals("image/jpeg", v.get(Variant.PREVIEW).mimeType(), original.toString());
      assertEquals(400, v.get(Variant.PREVIEW).width());
      assertTrue(Fixtures.run(dir, "vipsheader", v.get(Variant.PREVIEW).file().toString()).contains("srgb"),
        original.toString());
      assertNotNull(r.thumbhash());
    }
  }

  @Test
  void heicGetsAFullSizeJpeg() throws Exception {
    Rendered r = images.render(Fixtures.heic(dir, 400, 300), work(), false);
    Map<Variant, Rendered.Made> v = byVariant(r);
    Rendered.Made full = v.get(Variant.FULLSIZE);
    assertEquals("image/jpeg", full.mimeType());
    assertEquals(400, full.width());
    assertEquals(300, full.height());
    BufferedImage img = ImageIO.read(full.file().toFile());
    assertColour(Fixtures.TOP_LEFT, img.getRGB(50, 50), "top left");
    assertColour(Fixtures.BOTTOM_RIGHT, img.getRGB(350, 250), "bottom right");
    double[] avg = ThumbHashDecoder.averageRgba(Base64.getDecoder().decode(r.thumbhash()));
    // The quadrants average to (red + green + blue + white) / 4 = (0.5, 0.5, 0.5).
    assertEquals(0.5, avg[0], 0.08);
    assertEquals(0.5, avg[1], 0.08);
    assertEquals(0.5, avg[2], 0.08);
  }

  @Test
  void aVideoHasItsFactsAndAStillWithEveryVariant() throws Exception {
    Path clip = Fixtures.video(dir);
    VideoRenditions videos = new VideoRenditions(LIMITS, images);
    Path work = work();
    VideoRenditions.Probe probe = videos.probe(clip, work);
    assertEquals(2.0, probe.durationSeconds(), 0.05);
    assertEquals(25.0, probe.fps(), 0.001);
    assertEquals(320, probe.width());
    assertEquals(240, probe.height());
    Rendered r = videos.render(clip, probe, work);
    Map<Variant, Rendered.Made> v = byVariant(r);
    assertEquals(4, v.size(), "thumbnail_image, small_image, preview_image and fullsize_image");
    assertEquals(320, v.get(Variant.FULLSIZE).width());
    assertEquals(240, v.get(Variant.FULLSIZE).height());
    assertEquals("thumbnail_image", Variant.THUMBNAIL.key(true));
    assertEquals(4.0 / 3, ThumbHashDecoder.aspectRatio(Base64.getDecoder().decode(r.thumbhash())), 0.35);
  }

  @Test
  void aTruncatedJpegFailsClearly() throws Exception {
    RenditionException e = assertThrows(RenditionException.class,
      () -> images.render(Fixtures.truncatedJpeg(dir), work(), false));
    assertTrue(e.getMessage().contains("Premature end"), e.getMessage());
  }

  @Test
  void aPixelBombIsRefusedFromItsHeaderWithoutDecoding() throws Exception {
    Path bomb = Fixtures.pixelBomb(dir, 30_000);
    assertTrue(Files.size(bomb) < 2_000_000, "small on disk: " + Files.size(bomb));
    long started = System.nanoTime();
    RenditionException e = assertThrows(RenditionException.class, () -> images.render(bomb, work(), false));
    assertTrue(e.getMessage().contains("30000x30000 = 900000000 pixels, over the limit"), e.getMessage());
    assertTrue(System.nanoTime() - started < Duration.ofSeconds(10).toNanos(), "refused at once, not decoded");
  }

  @Test
  void somethingThatIsNoPictureFailsClearly() throws Exception {
    Path text = Files.writeString(dir.resolve("notes.jpg"), "not a picture at all");
    RenditionException e = assertThrows(RenditionException.class, () -> images.render(text, work(), false));
    assertTrue(e.getMessage().contains("not a known file format"), e.getMessage());
  }

  @Test
  void aJpegPixelBombIsRefusedFromItsFrameHeaderWithoutDecoding() throws Exception {
    Path jpg = Fixtures.write(dir.resolve("small.jpg"), Fixtures.quadrants(64, 48), "jpeg");
    byte[] bytes = Files.readAllBytes(jpg);
    // The frame header (SOF0) of a 64x48 picture now says 30000x30000.
    int sof = indexOf(bytes, new byte[] {(byte) 0xFF, (byte) 0xC0});
    bytes[sof + 5] = (byte) (30_000 >> 8);
    bytes[sof + 6] = (byte) 30_000;
    bytes[sof + 7] = (byte) (30_000 >> 8);
    bytes[sof + 8] = (byte) 30_000;
    Path bomb = Files.write(dir.resolve("bomb.jpg"), bytes);
    RenditionException e = assertThrows(RenditionException.class, () -> images.render(bomb, work(), false));
    assertTrue(e.getMessage().contains("30000x30000 = 900000000 pixels, over the limit"), e.getMessage());
  }

  @Test
  void aJpegsHeaderIsReadAsLibvipsReadsIt() throws Exception {
    BufferedImage grey = new BufferedImage(90, 70, BufferedImage.TYPE_BYTE_GRAY);
    Path greyJpg = Fixtures.write(dir.resolve("grey.jpg"), grey, "jpeg");
    Path oriented = Fixtures.orientedJpeg(dir, Fixtures.quadrants(160, 80), 6);
    Path png = Fixtures.write(dir.resolve("q.png"), Fixtures.quadrants(120, 90), "png");
    Path progressive = dir.resolve("progressive.jpg");
    Fixtures.run(dir, "vips", "copy", png.toString(), progressive + "[interlace,Q=90]");
    Path cmyk = dir.resolve("cmyk4.jpg");
    Fixtures.run(dir, "vips", "icc_transform", png.toString(), cmyk.toString(), "cmyk", "--input-profile", "srgb");
    for (Path f : java.util.List.of(greyJpg, oriented, progressive, cmyk)) {
      ImageRenditions.Header ours = ImageRenditions.jpegHeader(f);
      String theirs = Fixtures.run(dir, "vipsheader", f.toString()).strip();
      assertEquals(theirs.substring(theirs.indexOf(": ") + 2),
        ours.width() + "x" + ours.height() + " uchar, " + ours.bands() + (ours.bands() == 1 ? " band, " : " bands, ")
          + ours.interpretation() + ", " + ours.loader(), f.getFileName().toString());
    }
    assertEquals(null, ImageRenditions.jpegHeader(png), "not a JPEG: vipsheader decides");
    assertEquals(null, ImageRenditions.jpegHeader(Files.writeString(dir.resolve("x.jpg"), "not a picture at all")));
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException("not found");
  }
}
