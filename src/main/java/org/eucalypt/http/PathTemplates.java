package org.eucalypt.http;

import io.vertx.openapi.contract.Path;
import io.vertx.openapi.contract.impl.PathImpl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The contract's path for a request path: what {@code OpenAPIContract.findPath} answers, read in
 * place. vertx-openapi's PathFinder splits the request path into new strings on every call, which
 * took 1.5 µs of a GET /api/libraries/{id} in the async-profiler profile, the most of any one
 * step eucalypt adds before the handler. The rules are PathFinder's: among the paths with as
 * many segments as the request's (counted as {@code substring(1).split("/")} counts them), a
 * literal path spelled exactly wins; else the template whose literal segments all match with the
 * highest score, a literal segment weighing more the earlier it comes. PathTemplatesTest holds
 * the two to the same answers.
 */
final class PathTemplates {
  /** A template's segments, with null where a segment is a {@code {parameter}}. */
  private record Template(Path path, String[] literals) {
  }

  /** A path without parameters, and its spelling as PathFinder compares it. */
  private record Literal(Path path, String absolute) {
  }

  /** By their number of segments: arrays, so a lookup boxes no Integer. */
  private final Literal[][] literalPaths;
  private final Template[][] templates;
  /** The most segments a path of the contract has: a request with more is served by none. */
  private final int maxSegments;

  PathTemplates(List<Path> paths) {
    Map<Integer, List<Literal>> literalsByCount = new HashMap<>();
    Map<Integer, List<Template>> templatesByCount = new HashMap<>();
    int most = 1;
    for (Path p : paths) {
      String absolute = absolutePath(p);
      String[] segments = absolute.substring(1).split("/");
      most = Math.max(most, segments.length);
      if (!absolute.contains("{")) {
        literalsByCount.computeIfAbsent(segments.length, n -> new ArrayList<>()).add(new Literal(p, absolute));
        continue;
      }
      for (int i = 0; i < segments.length; i++) {
        segments[i] = segments[i].contains("{") ? null : segments[i];
      }
      templatesByCount.computeIfAbsent(segments.length, n -> new ArrayList<>()).add(new Template(p, segments));
    }
    maxSegments = most;
    literalPaths = new Literal[most + 1][];
    templates = new Template[most + 1][];
    for (int n = 0; n <= most; n++) {
      literalPaths[n] = literalsByCount.getOrDefault(n, List.of()).toArray(Literal[]::new);
      templates[n] = templatesByCount.getOrDefault(n, List.of()).toArray(Template[]::new);
    }
  }

  /** The path serving {@code urlPath} (a path beginning with a slash), or null. */
  Path find(String urlPath) {
    int[] bounds = new int[2 * maxSegments];
    int count = segments(urlPath, bounds);
    if (count > maxSegments) {
      return null;
    }
    for (Literal l : literalPaths[count]) {
      if (l.absolute().equals(urlPath)) {
        return l.path();
      }
    }
    Path best = null;
    int bestScore = -1;
    for (Template t : templates[count]) {
      int score = score(t.literals(), urlPath, bounds);
      if (score > bestScore) {
        best = t.path();
        bestScore = score;
      }
    }
    return best;
  }

  /**
   * The path as the contract spells it, under the servers' base path: PathFinder compares that,
   * where {@link Path#getName()} has lost a trailing slash ({@code /api/api-keys/} is found for
   * {@code /api/api-keys/} only).
   */
  private static String absolutePath(Path p) {
    return p instanceof PathImpl impl ? impl.getAbsolutePath() : p.getName();
  }

  /** As PathFinder.testSegments: -1 if a literal segment differs, else the literals' weight. */
  private static int score(String[] literals, String urlPath, int[] bounds) {
    int score = 0;
    // From the last segment back: the first ones (/api/) are the same in most templates.
    for (int i = literals.length - 1; i >= 0; i--) {
      String literal = literals[i];
      if (literal == null) {
        continue;
      }
      int start = bounds[2 * i];
      int length = bounds[2 * i + 1] - start;
      if (length != literal.length() || !urlPath.regionMatches(start, literal, 0, length)) {
        return -1;
      }
      score += literals.length - i;
    }
    return score;
  }

  /**
   * How many segments {@code urlPath.substring(1).split("/")} would cut it into (every slash cuts,
   * trailing empty segments are dropped, an empty remainder is one empty segment), with the start
   * and end of each of the first {@code bounds.length / 2} in {@code bounds}.
   */
  private static int segments(String urlPath, int[] bounds) {
    int length = urlPath.length();
    if (length <= 1) {
      bounds[0] = 1;
      bounds[1] = 1;
      return 1;
    }
    int count = 0;
    int nonEmpty = 0;  // the segments up to the last that is not empty
    int start = 1;
    while (true) {
      int slash = urlPath.indexOf('/', start);
      int end = slash < 0 ? length : slash;
      if (2 * count < bounds.length) {
        bounds[2 * count] = start;
        bounds[2 * count + 1] = end;
      }
      count++;
      if (end > start) {
        nonEmpty = count;
      }
      if (slash < 0) {
        return nonEmpty;
      }
      start = slash + 1;
    }
  }
}
