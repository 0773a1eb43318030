package org.eucalypt.rendition;

import org.junit.jupiter.api.Test;

import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ThumbHash encoded here and decoded back by the test's own reading of the format. */
class ThumbHashTest {

  /** 80 x 40: red on the left half, blue on the right. */
  private static byte[] halves(int w, int h, int alphaRight) {
    byte[] rgba = new byte[w * h * 4];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = (y * w + x) * 4;
        boolean left = x < w / 2;
        rgba[i] = (byte) (left ? 255 : 0);
        rgba[i + 2] = (byte) (left ? 0 : 255);
        rgba[i + 3] = (byte) (left ? 255 : alphaRight);
      }
    }
    return rgba;
  }

  @Test
  void averageColourAndAspectRatioSurviveTheRoundTrip() {
    byte[] hash = ThumbHash.encode(80, 40, halves(80, 40, 255));
    assertTrue(hash.length <= 30, "a ThumbHash is small: " + hash.length + " bytes");
    double[] avg = ThumbHashDecoder.averageRgba(hash);
    assertEquals(0.5, avg[0], 0.05, "red");
    assertEquals(0.0, avg[1], 0.05, "green");
    assertEquals(0.5, avg[2], 0.05, "blue");
    assertEquals(1.0, avg[3], 1e-9, "opaque");
    assertEquals(2.0, ThumbHashDecoder.aspectRatio(hash), 0.3, "landscape, twice as wide as high");
    assertFalse(ThumbHashDecoder.header(hash).hasAlpha());

    byte[] portrait = ThumbHash.encode(30, 90, halves(30, 90, 255));
    assertEquals(1.0 / 3, ThumbHashDecoder.aspectRatio(portrait), 0.1, "portrait, three times as high as wide");
  }

  @Test
  void theBlurKeepsWhichSideIsWhichColour() {
    byte[] hash = ThumbHash.encode(80, 40, halves(80, 40, 255));
    double[][] px = ThumbHashDecoder.decode(hash, 32, 16);
    double[] left = px[8 * 32 + 4];
    double[] right = px[8 * 32 + 27];
    assertTrue(left[0] > left[2] + 0.3, "left is red: " + java.util.Arrays.toString(left));
    assertTrue(right[2] > right[0] + 0.3, "right is blue: " + java.util.Arrays.toString(right));
  }

  @Test
  void transparencyIsCarriedAndDoesNotColourTheAverage() {
    byte[] hash = ThumbHash.encode(80, 40, halves(80, 40, 0));
    assertTrue(ThumbHashDecoder.header(hash).hasAlpha());
    double[] avg = ThumbHashDecoder.averageRgba(hash);
    // Only the opaque red half counts toward the colour.
    assertEquals(1.0, avg[0], 0.06);
    assertEquals(0.0, avg[2], 0.06);
    double[][] px = ThumbHashDecoder.decode(hash, 32, 16);
    assertTrue(px[8 * 32 + 4][3] > px[8 * 32 + 27][3] + 0.5, "the left is opaque, the right transparent");
  }

  @Test
  void base64IsWhatTheApiCarries() {
    String b64 = ThumbHash.encodeBase64(80, 40, halves(80, 40, 255));
    assertEquals(2.0, ThumbHashDecoder.aspectRatio(Base64.getDecoder().decode(b64)), 0.3);
  }

  @Test
  void refusesWhatTheFormatDoesNotDefine() {
    assertThrows(IllegalArgumentException.class, () -> ThumbHash.encode(101, 10, new byte[101 * 10 * 4]));
    assertThrows(IllegalArgumentException.class, () -> ThumbHash.encode(10, 10, new byte[12]));
  }
}
