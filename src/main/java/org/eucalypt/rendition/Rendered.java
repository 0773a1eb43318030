package org.eucalypt.rendition;

import java.nio.file.Path;
import java.util.List;

/**
 * What rendering one file made: each variant's file (in the task's work directory, not stored
 * yet) with its type and size, and the ThumbHash of the picture.
 */
public record Rendered(List<Made> variants, String thumbhash) {

  /** One rendition file as made. */
  public record Made(Variant variant, Path file, String mimeType, int width, int height, long bytes) {
  }
}
