package org.eucalypt.rendition;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * ThumbHash (Evan Wallace, https://evanw.github.io/thumbhash/): a placeholder of about 25 bytes
 * that clients decode into a blurred picture with its colours, alpha and aspect ratio.
 * Written here from the published description of the format: the picture is composited over
 * its average colour, turned into a luminance channel and two colour-difference channels (and
 * alpha when there is transparency), and the low frequencies of each channel's cosine transform
 * are quantised to 4 bits behind a header of the DC terms, scales and shape.
 */
public final class ThumbHash {
  /** The format is defined for pictures of at most 100 x 100 pixels. */
  public static final int MAX_SIDE = 100;

  private ThumbHash() {
  }

  /** Base64, as {@code AssetResponse.thumbhash} carries it. */
  public static String encodeBase64(int width, int height, byte[] rgba) {
    return Base64.getEncoder().encodeToString(encode(width, height, rgba));
  }

  /** {@code rgba} holds 4 bytes per pixel, row by row, not premultiplied. */
  public static byte[] encode(int width, int height, byte[] rgba) {
    if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
      throw new IllegalArgumentException("ThumbHash needs 1..100 pixels a side, not " + width + "x" + height);
    }
    if (rgba.length != width * height * 4) {
      throw new IllegalArgumentException("expected " + width * height * 4 + " bytes of RGBA, got " + rgba.length);
    }
    int n = width * height;

    // The average colour, weighted by alpha: transparent pixels do not colour the placeholder.
    double avgR = 0;
    double avgG = 0;
    double avgB = 0;
    double avgA = 0;
    for (int i = 0; i < n; i++) {
      double alpha = (rgba[i * 4 + 3] & 0xFF) / 255.0;
      avgR += alpha / 255.0 * (rgba[i * 4] & 0xFF);
      avgG += alpha / 255.0 * (rgba[i * 4 + 1] & 0xFF);
      avgB += alpha / 255.0 * (rgba[i * 4 + 2] & 0xFF);
      avgA += alpha;
    }
    if (avgA > 0) {
      avgR /= avgA;
      avgG /= avgA;
      avgB /= avgA;
    }
    boolean hasAlpha = avgA < n;
    // Alpha takes room in the hash, so luminance gets fewer terms when it is there.
    int lLimit = hasAlpha ? 5 : 7;
    int longest = Math.max(width, height);
    int lx = Math.max(1, (int) Math.round(lLimit * (double) width / longest));
    int ly = Math.max(1, (int) Math.round(lLimit * (double) height / longest));

    // Luminance, yellow-blue and red-green, each pixel composited over the average colour.
    double[] l = new double[n];
    double[] p = new double[n];
    double[] q = new double[n];
    double[] a = new double[n];
    for (int i = 0; i < n; i++) {
      double alpha = (rgba[i * 4 + 3] & 0xFF) / 255.0;
      double r = avgR * (1 - alpha) + alpha / 255.0 * (rgba[i * 4] & 0xFF);
      double g = avgG * (1 - alpha) + alpha / 255.0 * (rgba[i * 4 + 1] & 0xFF);
      double b = avgB * (1 - alpha) + alpha / 255.0 * (rgba[i * 4 + 2] & 0xFF);
      l[i] = (r + g + b) / 3;
      p[i] = (r + g) / 2 - b;
      q[i] = r - g;
      a[i] = alpha;
    }

    Channel lc = Channel.encode(l, width, height, Math.max(3, lx), Math.max(3, ly));
    Channel pc = Channel.encode(p, width, height, 3, 3);
    Channel qc = Channel.encode(q, width, height, 3, 3);
    Channel ac = hasAlpha ? Channel.encode(a, width, height, 5, 5) : null;

    boolean landscape = width > height;
    int header24 = (int) Math.round(63 * lc.dc)
      | ((int) Math.round(31.5 + 31.5 * pc.dc) << 6)
      | ((int) Math.round(31.5 + 31.5 * qc.dc) << 12)
      | ((int) Math.round(31 * lc.scale) << 18)
      | (hasAlpha ? 1 << 23 : 0);
    // The shorter side's count of luminance terms; the longer side's follows from the limit.
    int header16 = (landscape ? ly : lx)
      | ((int) Math.round(63 * pc.scale) << 3)
      | ((int) Math.round(63 * qc.scale) << 9)
      | (landscape ? 1 << 15 : 0);

    List<double[]> acs = new ArrayList<>(List.of(lc.ac, pc.ac, qc.ac));
    if (hasAlpha) {
      acs.add(ac.ac);
    }
    int acCount = acs.stream().mapToInt(x -> x.length).sum();
    int acStart = hasAlpha ? 6 : 5;
    byte[] hash = new byte[acStart + (acCount + 1) / 2];
    hash[0] = (byte) header24;
    hash[1] = (byte) (header24 >> 8);
    hash[2] = (byte) (header24 >> 16);
    hash[3] = (byte) header16;
    hash[4] = (byte) (header16 >> 8);
    if (hasAlpha) {
      hash[5] = (byte) ((int) Math.round(15 * ac.dc) | ((int) Math.round(15 * ac.scale) << 4));
    }
    // Two 4-bit terms a byte, low nibble first.
    int index = 0;
    for (double[] terms : acs) {
      for (double f : terms) {
        hash[acStart + (index >> 1)] |= (byte) ((int) Math.round(15 * f) << ((index & 1) * 4));
        index++;
      }
    }
    return hash;
  }

  /** One channel's DC term, its AC terms mapped to 0..1, and the scale that maps them back. */
  private record Channel(double dc, double[] ac, double scale) {

    /**
     * The terms of the 2-D cosine transform with cx < nx, cy < ny, kept to a triangle
     * (cx * ny < nx * (ny - cy)): the low frequencies, where a blur lives.
     */
    static Channel encode(double[] channel, int w, int h, int nx, int ny) {
      double dc = 0;
      double scale = 0;
      List<Double> ac = new ArrayList<>();
      double[] fx = new double[w];
      for (int cy = 0; cy < ny; cy++) {
        for (int cx = 0; cx * ny < nx * (ny - cy); cx++) {
          for (int x = 0; x < w; x++) {
            fx[x] = Math.cos(Math.PI / w * cx * (x + 0.5));
          }
          double f = 0;
          for (int y = 0; y < h; y++) {
            double fy = Math.cos(Math.PI / h * cy * (y + 0.5));
            for (int x = 0; x < w; x++) {
              f += channel[x + y * w] * fx[x] * fy;
            }
          }
          f /= w * h;
          if (cx > 0 || cy > 0) {
            ac.add(f);
            scale = Math.max(scale, Math.abs(f));
          } else {
            dc = f;
          }
        }
      }
      double[] terms = new double[ac.size()];
      for (int i = 0; i < terms.length; i++) {
        terms[i] = scale > 0 ? 0.5 + 0.5 / scale * ac.get(i) : ac.get(i);
      }
      return new Channel(dc, terms, scale);
    }
  }
}
