package org.eucalypt.rendition;

import com.drew.imaging.ImageMetadataReader;
import com.drew.imaging.ImageProcessingException;
import com.drew.metadata.Metadata;
import com.drew.metadata.MetadataException;
import com.drew.metadata.jpeg.JpegDirectory;
import com.drew.metadata.webp.WebpDirectory;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
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
 * Renders an image with libvips' command-line tools: reads its header first (a JPEG's here, as
 * libjpeg will, anything else with {@code vipsheader}) and refuses one over the pixel cap without
 * decoding it, then makes each variant with {@code vips thumbnail}, which
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
    Header jpeg = jpegHeader(file);
    if (jpeg != null) {
      return jpeg;
    }
    String out = ChildProcesses.runOk(List.of("vipsheader", file.toString()), workDir, limits.timeout());
    Matcher m = HEADER.matcher(out);
    if (!m.find()) {
      throw new RenditionException("vipsheader gave an unexpected answer: " + out.strip());
    }
    return new Header(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)),
      m.group(5), m.group(6));
  }

  /**
   * A JPEG's frame header, read here as libjpeg reads it when libvips opens the file: the first
   * SOFn marker, which must come before any SOS (libjpeg refuses a second SOF), gives the size
   * and components libvips will report and decode. A photo thus needs no vipsheader process of
   * its own. Null, and vipsheader decides, for anything that is not a JPEG whose markers lead
   * plainly to its frame header (a height of 0, left to a DNL marker, included).
   */
  static Header jpegHeader(Path file) {
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 16_384))) {
      if (in.readUnsignedByte() != 0xFF || in.readUnsignedByte() != 0xD8) {
        return null;
      }
      while (true) {
        if (in.readUnsignedByte() != 0xFF) {
          return null;
        }
        int marker = in.readUnsignedByte();
        while (marker == 0xFF) {
          marker = in.readUnsignedByte(); // fill bytes
        }
        // Markers without a length (SOI, EOI, RSTn, TEM) or the scan itself before any frame header.
        if (marker == 0xD8 || marker == 0xD9 || marker == 0xDA || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
          return null;
        }
        int length = in.readUnsignedShort();
        if (length < 2) {
          return null;
        }
        // SOF0-SOF15 but DHT (C4), JPG (C8) and DAC (CC), which share the range.
        if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
          if (length < 8) {
            return null;
          }
          in.readUnsignedByte(); // sample precision
          int height = in.readUnsignedShort();
          int width = in.readUnsignedShort();
          int components = in.readUnsignedByte();
          // libjpeg's colour spaces as libvips names them: grey, YCbCr or RGB, CMYK or YCCK.
          String interpretation = switch (components) {
            case 1 -> "b-w";
            case 3 -> "srgb";
            case 4 -> "cmyk";
            default -> null;
          };
          return height == 0 || width == 0 || interpretation == null ? null
            : new Header(width, height, components, interpretation, "jpegload");
        }
        in.skipNBytes(length - 2);
      }
    } catch (IOException e) {
      return null;
    }
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

    List<Rendered.Made> made = new ArrayList<>();
    Path preview = null;
    for (Path f : files) {
      int[] size = pixelSize(f);
      made.add(new Rendered.Made(variants.get(f), f, mimeType(f), size[0], size[1], fileSize(f)));
      if (variants.get(f) == Variant.PREVIEW) {
        preview = f;
      }
    }
    // An opaque picture's ThumbHash comes from its JPEG preview, decoded here: no process of its own.
    String thumbhash = preview.toString().endsWith(".jpg") ? thumbhashOfJpeg(preview) : thumbhash(source, workDir);
    return new Rendered(made, thumbhash);
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

  /**
   * The pixel size of a file made here, from its header, read in this process (metadata-extractor):
   * one vipsheader process fewer per rendition. Only for our own JPEG and WebP files, never an
   * original.
   */
  static int[] pixelSize(Path made) throws RenditionException {
    try {
      Metadata md = ImageMetadataReader.readMetadata(made.toFile());
      JpegDirectory jpeg = md.getFirstDirectoryOfType(JpegDirectory.class);
      if (jpeg != null && jpeg.containsTag(JpegDirectory.TAG_IMAGE_WIDTH)) {
        return new int[] {jpeg.getInt(JpegDirectory.TAG_IMAGE_WIDTH), jpeg.getInt(JpegDirectory.TAG_IMAGE_HEIGHT)};
      }
      WebpDirectory webp = md.getFirstDirectoryOfType(WebpDirectory.class);
      if (webp != null && webp.containsTag(WebpDirectory.TAG_IMAGE_WIDTH)) {
        return new int[] {webp.getInt(WebpDirectory.TAG_IMAGE_WIDTH), webp.getInt(WebpDirectory.TAG_IMAGE_HEIGHT)};
      }
    } catch (ImageProcessingException | MetadataException | IOException e) {
      throw new RenditionException("the size of " + made.getFileName() + " could not be read: " + e.getMessage());
    }
    throw new RenditionException("the size of " + made.getFileName() + " is not in its header");
  }

  /**
   * The ThumbHash of our own JPEG preview: decoded by the JDK a third of its rows and columns at
   * a time (it is 1440 px: about 480 px are kept), then each output pixel the mean of its box,
   * fitted into 100 x 100. The preview is sRGB without a profile, its orientation already applied.
   */
  static String thumbhashOfJpeg(Path jpeg) throws RenditionException {
    ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
    BufferedImage img;
    try (ImageInputStream in = ImageIO.createImageInputStream(jpeg.toFile())) {
      reader.setInput(in, true, true);
      int step = Math.max(1, Math.max(reader.getWidth(0), reader.getHeight(0)) / (4 * ThumbHash.MAX_SIDE));
      ImageReadParam param = reader.getDefaultReadParam();
      param.setSourceSubsampling(step, step, 0, 0);
      img = reader.read(0, param);
    } catch (IOException | RuntimeException e) {
      throw new RenditionException("the preview could not be read for its ThumbHash: " + e.getMessage());
    } finally {
      reader.dispose();
    }
    int w = img.getWidth();
    int h = img.getHeight();
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    double scale = Math.min(1.0, (double) ThumbHash.MAX_SIDE / Math.max(w, h));
    int tw = Math.max(1, (int) Math.round(w * scale));
    int th = Math.max(1, (int) Math.round(h * scale));
    byte[] rgba = new byte[tw * th * 4];
    for (int ty = 0; ty < th; ty++) {
      int y0 = ty * h / th;
      int y1 = Math.max(y0 + 1, (ty + 1) * h / th);
      for (int tx = 0; tx < tw; tx++) {
        int x0 = tx * w / tw;
        int x1 = Math.max(x0 + 1, (tx + 1) * w / tw);
        long r = 0;
        long g = 0;
        long b = 0;
        for (int y = y0; y < y1; y++) {
          for (int x = x0; x < x1; x++) {
            int p = argb[y * w + x];
            r += (p >> 16) & 0xff;
            g += (p >> 8) & 0xff;
            b += p & 0xff;
          }
        }
        long n = (long) (y1 - y0) * (x1 - x0);
        int i = (ty * tw + tx) * 4;
        rgba[i] = (byte) (r / n);
        rgba[i + 1] = (byte) (g / n);
        rgba[i + 2] = (byte) (b / n);
        rgba[i + 3] = (byte) 255;
      }
    }
    return ThumbHash.encodeBase64(tw, th, rgba);
  }

  /**
   * A picture with transparency (its preview is WebP, which the JDK does not read): from the
   * thumbnail, fitted into 100 x 100 as a PNG by libvips, alpha kept.
   */
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
