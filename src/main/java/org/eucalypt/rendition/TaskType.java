package org.eucalypt.rendition;

import java.util.List;

/** The work done for an asset, by Gumnut's {@code TaskResponse.task_type} names. */
public enum TaskType {
  /** An image's thumbnail, small, preview (and fullsize when needed), its ThumbHash and metadata. */
  DISPLAY_PROXY_GENERATION("display_proxy_generation"),
  /** A video's still, its image variants and ThumbHash. */
  VIDEO_THUMBNAIL_EXTRACT("video_thumbnail_extract"),
  /** A video's duration, frame rate and metadata. */
  VIDEO_METADATA_EXTRACT("video_metadata_extract");

  private final String apiName;

  TaskType(String apiName) {
    this.apiName = apiName;
  }

  public String apiName() {
    return apiName;
  }

  static TaskType of(String apiName) {
    for (TaskType t : values()) {
      if (t.apiName.equals(apiName)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown task type " + apiName);
  }

  /** What an upload of this type needs; nothing for what is neither image nor video. */
  public static List<TaskType> forMimeType(String mimeType) {
    if (mimeType.startsWith("image/")) {
      return List.of(DISPLAY_PROXY_GENERATION);
    }
    if (mimeType.startsWith("video/")) {
      return List.of(VIDEO_METADATA_EXTRACT, VIDEO_THUMBNAIL_EXTRACT);
    }
    return List.of();
  }
}
