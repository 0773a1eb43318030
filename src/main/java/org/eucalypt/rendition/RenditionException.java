package org.eucalypt.rendition;

/**
 * Why one file could not be rendered: the message is the task's error, written for the person
 * who reads the task list, so it says what was wrong with the file or which tool is missing.
 */
public final class RenditionException extends Exception {
  public RenditionException(String message) {
    super(message);
  }
}
