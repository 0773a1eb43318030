package org.eucalypt.rendition;

/**
 * Why one file could not be rendered: the message is the task's error, written for the person
 * who reads the task list, so it says what was wrong with the file or which tool is missing.
 */
public final class RenditionException extends Exception {
  private final boolean retryable;

  /** The file's own fault (damaged, too large, not a picture): trying again would fail again. */
  public RenditionException(String message) {
    this(message, false);
  }

  private RenditionException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  /** Perhaps the machine's fault (a decoder too slow under load): worth another attempt. */
  static RenditionException retryable(String message) {
    return new RenditionException(message, true);
  }

  public boolean retryable() {
    return retryable;
  }
}
