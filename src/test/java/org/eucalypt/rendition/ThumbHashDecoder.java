package org.eucalypt.rendition;

/**
 * The other half of ThumbHash, for tests only: the header's average colour and aspect ratio,
 * and the blurred picture itself, read back as the published format defines them.
 */
final class ThumbHashDecoder {
  private ThumbHashDecoder() {
  }

  record Header(double l, double p, double q, double lScale, boolean hasAlpha, double pScale, double qScale,
                boolean landscape, int lx, int ly, double a, double aScale) {
  }

  static Header header(byte[] hash) {
    int h24 = (hash[0] & 0xFF) | (hash[1] & 0xFF) << 8 | (hash[2] & 0xFF) << 16;
    int h16 = (hash[3] & 0xFF) | (hash[4] & 0xFF) << 8;
    boolean hasAlpha = (h24 >> 23 & 1) == 1;
    boolean landscape = (h16 >> 15 & 1) == 1;
    int limit = hasAlpha ? 5 : 7;
    int lx = Math.max(3, landscape ? limit : h16 & 7);
    int ly = Math.max(3, landscape ? h16 & 7 : limit);
    return new Header((h24 & 63) / 63.0, (h24 >> 6 & 63) / 31.5 - 1, (h24 >> 12 & 63) / 31.5 - 1,
      (h24 >> 18 & 31) / 31.0, hasAlpha, (h16 >> 3 & 63) / 63.0, (h16 >> 9 & 63) / 63.0, landscape, lx, ly,
      hasAlpha ? (hash[5] & 15) / 15.0 : 1, hasAlpha ? (hash[5] >> 4 & 15) / 15.0 : 0);
  }

  /** Width over height, as the header's counts of luminance terms give it. */
  static double aspectRatio(byte[] hash) {
    boolean hasAlpha = (hash[2] & 0x80) != 0;
    boolean landscape = (hash[4] & 0x80) != 0;
    int limit = hasAlpha ? 5 : 7;
    int lx = landscape ? limit : hash[3] & 7;
    int ly = landscape ? hash[3] & 7 : limit;
    return (double) lx / ly;
  }

  /** The average colour as 0..1 RGBA, from the DC terms. */
  static double[] averageRgba(byte[] hash) {
    Header h = header(hash);
    return toRgba(h.l(), h.p(), h.q(), h.a());
  }

  private static double[] toRgba(double l, double p, double q, double a) {
    double b = l - 2.0 / 3 * p;
    double r = (3 * l - b + q) / 2;
    double g = r - q;
    return new double[] {clamp(r), clamp(g), clamp(b), clamp(a)};
  }

  /** The blurred picture, {@code width} x {@code height}, as 0..1 RGBA per pixel. */
  static double[][] decode(byte[] hash, int width, int height) {
    Header h = header(hash);
    int acStart = h.hasAlpha() ? 6 : 5;
    int[] index = {0};
    double[] lAc = ac(hash, acStart, index, h.lx(), h.ly(), h.lScale());
    double[] pAc = ac(hash, acStart, index, 3, 3, h.pScale() * 1.25);
    double[] qAc = ac(hash, acStart, index, 3, 3, h.qScale() * 1.25);
    double[] aAc = h.hasAlpha() ? ac(hash, acStart, index, 5, 5, h.aScale()) : null;
    double[][] out = new double[width * height][];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double l = h.l() + sum(lAc, h.lx(), h.ly(), x, y, width, height);
        double p = h.p() + sum(pAc, 3, 3, x, y, width, height);
        double q = h.q() + sum(qAc, 3, 3, x, y, width, height);
        double a = h.hasAlpha() ? h.a() + sum(aAc, 5, 5, x, y, width, height) : 1;
        out[y * width + x] = toRgba(l, p, q, a);
      }
    }
    return out;
  }

  private static double[] ac(byte[] hash, int start, int[] index, int nx, int ny, double scale) {
    int count = 0;
    for (int cy = 0; cy < ny; cy++) {
      for (int cx = cy > 0 ? 0 : 1; cx * ny < nx * (ny - cy); cx++) {
        count++;
      }
    }
    double[] ac = new double[count];
    for (int i = 0; i < count; i++) {
      int k = index[0]++;
      int nibble = (hash[start + (k >> 1)] & 0xFF) >> ((k & 1) * 4) & 15;
      ac[i] = (nibble / 7.5 - 1) * scale;
    }
    return ac;
  }

  private static double sum(double[] ac, int nx, int ny, int x, int y, int w, int h) {
    double s = 0;
    int j = 0;
    for (int cy = 0; cy < ny; cy++) {
      double fy2 = Math.cos(Math.PI / h * cy * (y + 0.5)) * 2;
      for (int cx = cy > 0 ? 0 : 1; cx * ny < nx * (ny - cy); cx++, j++) {
        s += ac[j] * Math.cos(Math.PI / w * cx * (x + 0.5)) * fy2;
      }
    }
    return s;
  }

  private static double clamp(double v) {
    return Math.max(0, Math.min(1, v));
  }
}
