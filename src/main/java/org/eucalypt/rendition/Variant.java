package org.eucalypt.rendition;

/**
 * The renditions made of every image (and of every video's still), by the longest side they are
 * fitted into. Sizes follow Gumnut's own ladder as its client, immich-adapter, describes it
 * (thumbnail 360 px, small 720 px, preview 1440 px); see the README, "Renditions", for the
 * comparison with Immich's defaults and the choice of formats.
 */
public enum Variant {
  /** Grid tiles: WebP, small and cheap. */
  THUMBNAIL("thumbnail", 360),
  /** Wide grid tiles (panoramas) and small screens. */
  SMALL("small", 720),
  /** A screen-sized view: JPEG, which every viewer decodes. */
  PREVIEW("preview", 1440),
  /** The whole image, made only when the original is not something a browser shows (HEIC, TIFF). */
  FULLSIZE("fullsize", 0);

  private final String imageName;
  private final int longestSide;

  Variant(String imageName, int longestSide) {
    this.imageName = imageName;
    this.longestSide = longestSide;
  }

  /** Its key in {@code asset_urls}: {@code thumbnail} for an image, {@code thumbnail_image} for a video's still. */
  public String key(boolean ofVideo) {
    return ofVideo ? imageName + "_image" : imageName;
  }

  /** The box it is fitted into; 0 for full size. */
  public int longestSide() {
    return longestSide;
  }
}
