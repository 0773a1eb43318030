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

  private final Map<Integer, List<Literal>> literalPaths = new HashMap<>();
  private final Map<Integer, List<Template>> templates = new HashMap<>();
  /** The most segments a path of the contract has: a request with more is served by none. */
  private final int maxSegments;

  PathTemplates(List<Path> paths) {
    int most = 1;
    for (Path p : paths) {
      String absolute = absolutePath(p);
      String[] segments = absolute.substring(1).split("/");
      most = Math.max(most, segments.length);
      if (!absolute.contains("{")) {
        literalPaths.computeIfAbsent(segments.length, n -> new ArrayList<>())
          .add(new Literal(p, absolute));
        continue;
      }
      for (int i = 0; i < segments.length; i++) {
        segments[i] = segments[i].contains("{") ? null : segments[i];
      }
      templates.computeIfAbsent(segments.length, n -> new ArrayList<>()).add(new Template(p, segments));
    }
    maxSegments = most;
  }

  /** The path serving {@code urlPath} (a path beginning with a slash), or null. */
  Path find(String urlPath) {
    int[] bounds = new int[2 * maxSegments];
    int count = segments(urlPath, bounds);
    if (count > maxSegments) {
      return null;
    }
    for (Literal l : literalPaths.getOrDefault(count, List.of())) {
      if (l.absolute().equals(urlPath)) {
        return l.path();
      }
    }
    Path best = null;
    int bestScore = -1;
    for (Template t : templates.getOrDefault(count, List.of())) {
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
    for (int i = 0; i < literals.length; i++) {
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
