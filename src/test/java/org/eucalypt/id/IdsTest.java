package org.eucalypt.id;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdsTest {

  @Test
  void idsRoundTripThroughTheirPublicForm() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      UUID u = i % 2 == 0 ? Ids.newUuid() : UUID.randomUUID();
      String id = Ids.LIBRARY.format(u);
      assertTrue(id.matches("lib_[23456789A-HJ-NP-Za-km-z]{22}"), id);
      assertEquals(u, Ids.LIBRARY.parse(id).orElseThrow());
      assertTrue(seen.add(id));
    }
    UUID max = new UUID(-1L, -1L);
    assertEquals(max, Ids.ASSET.parse(Ids.ASSET.format(max)).orElseThrow());
    UUID zero = new UUID(0, 0);
    assertEquals("asset_2222222222222222222222", Ids.ASSET.format(zero));
  }

  @Test
  void theEncodingIsTheNumberInBase57WithTheMostSignificantDigitFirst() {
    // Arbitrary-precision arithmetic as the oracle for the limb arithmetic.
    String alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    java.util.Random random = new java.util.Random(57);
    for (int i = 0; i < 5000; i++) {
      UUID u = new UUID(random.nextLong(), random.nextLong());
      BigInteger n = new BigInteger(1, java.nio.ByteBuffer.allocate(16)
        .putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array());
      StringBuilder expected = new StringBuilder();
      for (int d = 0; d < 22; d++) {
        BigInteger[] qr = n.divideAndRemainder(BigInteger.valueOf(57));
        expected.insert(0, alphabet.charAt(qr[1].intValue()));
        n = qr[0];
      }
      assertEquals("asset_" + expected, Ids.ASSET.format(u));
    }
  }

  @Test
  void theEncodingIsShortuuidsSoGumnutClientsCanDecodeIt() {
    // The example from shortuuid's own README: what Gumnut's clients decode ids with.
    UUID u = UUID.fromString("6ca4f0f8-2508-4bac-b8f1-5d1e3da2247a");
    assertEquals("asset_MLpZDiEXM4VsUryR9oE8uc", Ids.ASSET.format(u));
    assertEquals(u, Ids.ASSET.parse("asset_MLpZDiEXM4VsUryR9oE8uc").orElseThrow());
  }

  @Test
  void malformedIdsAndOtherTypesPrefixesAreRejected() {
    String lib = Ids.LIBRARY.format(Ids.newUuid());
    assertTrue(Ids.ASSET.parse(lib).isEmpty());
    assertTrue(Ids.LIBRARY.parse(lib.substring(0, lib.length() - 1)).isEmpty());
    assertTrue(Ids.LIBRARY.parse(lib + "2").isEmpty());
    assertTrue(Ids.LIBRARY.parse("lib_000000000000000000000l").isEmpty());   // 0 and l are not in the alphabet
    assertTrue(Ids.LIBRARY.parse("lib_zzzzzzzzzzzzzzzzzzzzzz").isEmpty());   // above 2^128
    assertTrue(Ids.LIBRARY.parse(null).isEmpty());
    assertTrue(Ids.LIBRARY.parse("").isEmpty());
  }

  @Test
  void newIdsAreTimeOrdered() {
    UUID a = Ids.newUuid();
    UUID b = Ids.newUuid();
    assertEquals(7, a.version());
    assertTrue(Long.compareUnsigned(a.getMostSignificantBits() >>> 16, b.getMostSignificantBits() >>> 16) <= 0);
  }
}
