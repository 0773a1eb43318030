package org.eucalypt.person;

import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import org.eucalypt.auth.Caller;

import java.util.List;

/**
 * People and the faces that make them up, as Gumnut's SDK documents them. Each method is named
 * after its operationId in openapi.yaml. Every read and change joins on the library being live
 * and the caller's own, so a person or face of a trashed library, of another user or outside the
 * key's scope answers NOT_FOUND alike.
 *
 * <p>A person and its faces share one library. Faces drawn through the API are {@code manual};
 * their box must fit inside the asset's width and height (INVALID otherwise, or when the asset's
 * size is unknown). Detection and clustering are not run here.
 */
@ProxyGen
@VertxGen
public interface PeopleService {
  String ADDRESS = "eucalypt.service.people";

  /** A new person, maybe unnamed and without faces; {@code libraryId} may be null with one live library. */
  Future<Person> createPerson(Caller caller, String libraryId, PersonChanges fields);

  Future<Person> getPerson(Caller caller, String personId);

  /** Changes only the fields given; a thumbnail must be a face of the person's library. */
  Future<Person> updatePerson(Caller caller, String personId, PersonChanges changes);

  Future<PersonPage> listPeople(Caller caller, PersonFilter filter);

  /** Deletes the person; its faces stay, unassigned. */
  Future<Void> deletePerson(Caller caller, String personId);

  /**
   * Moves every face of the sources to the person, then deletes the sources, in one transaction:
   * all of it or none. Every source must be another person of the same library.
   */
  Future<Person> mergePeople(Caller caller, String personId, List<String> sourcePersonIds);

  /** A manual face on an asset of the library, maybe assigned to a person of that library at once. */
  Future<Face> createFace(Caller caller, String libraryId, String assetId, int x, int y, int w, int h, String personId);

  /** {@code libraryId} may be null; when given, the face must be in it. */
  Future<Face> getFace(Caller caller, String faceId, String libraryId);

  /** Assigns the face to {@code personId}, or detaches it when that is null. */
  Future<Face> updateFace(Caller caller, String faceId, String libraryId, String personId);

  Future<FacePage> listFaces(Caller caller, FaceFilter filter);

  Future<Void> deleteFace(Caller caller, String faceId, String libraryId);
}
