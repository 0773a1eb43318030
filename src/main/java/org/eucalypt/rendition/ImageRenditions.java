package org.eucalypt.rendition;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders an image with libvips' command-line tools: reads its header first and refuses one over
 * the pixel cap without decoding it, then makes each variant with {@code vips thumbnail}, which
 * applies the EXIF orientation, converts an embedded colour profile to sRGB and strips metadata
 * (location included) from what it writes.
 *
 * <p>Only the first variant decodes the original (with libvips' shrink-on-load where the format
 * has it); each smaller one is made from the one before, so a 12 MP JPEG is decoded once, not
 * four times. Blocking: run it on a worker thread, as {@link RenditionWorker} does.
 */
public final class ImageRenditions {
  /** Formats every browser shows as they are: for these the original serves as {@code fullsize}. */
  private static final Set<String> WEB_VIEWABLE = Set.of("jpegload", "pngload", "webpload", "gifload");

  /** {@code vipsheader}'s line: "name: 4000x3000 uchar, 3 bands, srgb, jpegload". */
  private static final Pattern HEADER =
    Pattern.compile("^(.*): (\\d+)x(\\d+) \\w+, (\\d+) bands?, ([\\w-]+), (\\w+)\\s*$", Pattern.MULTILINE);

  private static final int QUALITY = 80;

  private final RenditionLimits limits;

  public ImageRenditions(RenditionLimits limits) {
    this.limits = limits;
  }

  /** What libvips reads from a file's header without decoding its pixels. */
  record Header(int width, int height, int bands, String interpretation, String loader) {
    long pixels() {
      return (long) width * height;
    }

    private boolean cmyk() {
      return "cmyk".equals(interpretation);
    }

    /** Grey + alpha, RGB + alpha, or CMYK + alpha. */
    boolean hasAlpha() {
      return cmyk() ? bands == 5 : bands == 2 || bands == 4;
    }

    /**
     * RGB numbers, so an untagged file may be declared sRGB. Grey and CMYK files are not (libvips
     * refuses an sRGB profile for them) and go through libvips' own grey and CMYK profiles.
     */
    boolean rgb() {
      return bands >= 3 && !cmyk();
    }
  }

  Header header(Path file, Path workDir) throws RenditionException {
    String out = ChildProcesses.runOk(List.of("vipsheader", file.toString()), workDir, limits.timeout());
    Matcher m = HEADER.matcher(out);
    if (!m.find()) {
      throw new RenditionException("vipsheader gave an unexpected answer: " + out.strip());
    }
    return new Header(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)),
      m.group(5), m.group(6));
  }

  /**
   * Makes thumbnail, small and preview of {@code original}, and fullsize when the original is not
   * web-viewable or {@code alwaysFullsize} (a video's still is not a file a client has), plus
   * the ThumbHash. Files are written to {@code workDir}.
   */
  public Rendered render(Path original, Path workDir, boolean alwaysFullsize) throws RenditionException {
    Header header = header(original, workDir);
    checkPixels(header.width(), header.height(), limits.maxPixels());
    boolean fullsize = alwaysFullsize || !WEB_VIEWABLE.contains(header.loader());
    // JPEG has no transparency: a picture with some keeps it in WebP.
    String bigFormat = header.hasAlpha() ? "webp" : "jpg";

    List<Path> files = new ArrayList<>();
    Map<Path, Variant> variants = new HashMap<>();
    Path source = original;
    // Only the original may be damaged; what we made ourselves is not checked again.
    boolean first = true;
    for (Variant v : List.of(Variant.FULLSIZE, Variant.PREVIEW, Variant.SMALL, Variant.THUMBNAIL)) {
      if (v == Variant.FULLSIZE && !fullsize) {
        continue;
      }
      String format = v == Variant.FULLSIZE || v == Variant.PREVIEW ? bigFormat : "webp";
      // Full size fits a square box as large as the longest side, so a quarter turn never shrinks it.
      int box = v == Variant.FULLSIZE ? Math.max(header.width(), header.height()) : v.longestSide();
      Path out = workDir.resolve(v.name().toLowerCase() + "." + format);
      // Only the original may be grey or CMYK: what we made ourselves is sRGB.
      thumbnail(source, out, box, first, first && !header.rgb(), workDir);
      files.add(out);
      variants.put(out, v);
      source = out;
      first = false;
    }

    Map<Path, int[]> sizes = sizes(files, workDir);
    List<Rendered.Made> made = new ArrayList<>();
    for (Path f : files) {
      int[] size = sizes.get(f);
      made.add(new Rendered.Made(variants.get(f), f, mimeType(f), size[0], size[1], fileSize(f)));
    }
    return new Rendered(made, thumbhash(source, workDir));
  }

  static void checkPixels(long width, long height, long maxPixels) throws RenditionException {
    if (width * height > maxPixels) {
      throw new RenditionException("the picture is " + width + "x" + height + " = " + width * height
        + " pixels, over the limit of " + maxPixels + "; it was not decoded");
    }
  }

  private void thumbnail(Path in, Path out, int box, boolean checkDamage, boolean notRgb, Path workDir)
    throws RenditionException {
    List<String> cmd = new ArrayList<>(List.of("vips", "thumbnail", in.toString(),
      out + "[Q=" + QUALITY + ",strip]", Integer.toString(box), "--height", Integer.toString(box),
      // Never enlarged: a small original's preview is the original's size.
      "--size", "down",
      // Embedded profiles (Display P3, Adobe RGB...) are converted to sRGB.
      "--export-profile", "srgb"));
    if (!notRgb) {
      // Untagged RGB pictures must be declared sRGB: libvips' own fallback shifts saturated
      // colours (pure blue gains red).
      cmd.addAll(List.of("--import-profile", "srgb"));
    }
    if (checkDamage) {
      // By default libvips fills a truncated file's missing rows with grey and carries on.
      cmd.addAll(List.of("--fail-on", "truncated"));
    }
    ChildProcesses.runOk(cmd, workDir, limits.timeout());
  }

  /** One {@code vipsheader} call for all the files made: their pixel sizes. */
  private Map<Path, int[]> sizes(List<Path> files, Path workDir) throws RenditionException {
    List<String> cmd = new ArrayList<>(List.of("vipsheader"));
    files.forEach(f -> cmd.add(f.toString()));
    Matcher m = HEADER.matcher(ChildProcesses.runOk(cmd, workDir, limits.timeout()));
    Map<Path, int[]> sizes = new HashMap<>();
    while (m.find()) {
      sizes.put(Path.of(m.group(1)), new int[] {Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))});
    }
    for (Path f : files) {
      if (!sizes.containsKey(f)) {
        throw new RenditionException("vipsheader did not describe " + f.getFileName());
      }
    }
    return sizes;
  }

  /** From the thumbnail, fitted into 100 x 100 as a PNG (which Java reads itself), alpha kept. */
  private String thumbhash(Path thumbnail, Path workDir) throws RenditionException {
    Path small = workDir.resolve("thumbhash.png");
    ChildProcesses.runOk(List.of("vips", "thumbnail", thumbnail.toString(), small.toString(),
      Integer.toString(ThumbHash.MAX_SIDE), "--height", Integer.toString(ThumbHash.MAX_SIDE)), workDir, limits.timeout());
    BufferedImage img;
    try {
      img = ImageIO.read(small.toFile());
    } catch (IOException e) {
      throw new RenditionException("the ThumbHash source could not be read: " + e.getMessage());
    }
    if (img == null) {
      throw new RenditionException("the ThumbHash source is not a PNG Java can read");
    }
    int w = img.getWidth();
    int h = img.getHeight();
    byte[] rgba = new byte[w * h * 4];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int argb = img.getRGB(x, y);
        int i = (y * w + x) * 4;
        rgba[i] = (byte) (argb >> 16);
        rgba[i + 1] = (byte) (argb >> 8);
        rgba[i + 2] = (byte) argb;
        rgba[i + 3] = (byte) (argb >>> 24);
      }
    }
    return ThumbHash.encodeBase64(w, h, rgba);
  }

  private static String mimeType(Path f) {
    return f.toString().endsWith(".webp") ? "image/webp" : "image/jpeg";
  }

  private static long fileSize(Path f) throws RenditionException {
    try {
      return Files.size(f);
    } catch (IOException e) {
      throw new RenditionException("a rendition just made is gone: " + e.getMessage());
    }
  }
}
