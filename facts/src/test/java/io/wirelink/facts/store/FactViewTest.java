package io.wirelink.facts.store;

import static io.wirelink.facts.store.TestFacts.alive;
import static io.wirelink.facts.store.TestFacts.allowed;
import static io.wirelink.facts.store.TestFacts.at;
import static io.wirelink.facts.store.TestFacts.endpoint;
import static io.wirelink.facts.store.TestFacts.event;
import static io.wirelink.facts.store.TestFacts.gossip;
import static io.wirelink.facts.store.TestFacts.key;
import static io.wirelink.facts.store.TestFacts.local;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FactViewTest {

    @Test
    void expiryIsExclusive() {
        FactEvent e = event(1, endpoint(1, "198.51.100.1:51820", 100), gossip(2, 0));
        assertEquals(1, FactView.fold(List.of(e), at(99)).size());
        assertTrue(FactView.fold(List.of(e), at(100)).isEmpty(), "expires == now is expired");
        assertTrue(FactView.fold(List.of(e), at(101)).isEmpty());
    }

    @Test
    void perAuthorTheLatestExpiryWinsWhateverTheOrder() {
        Fact f = endpoint(1, "198.51.100.1:51820", 0);
        FactEvent late = event(1, f.withExpiry(at(300)), gossip(2, 0));
        FactEvent early = event(2, f.withExpiry(at(200)), gossip(2, 10));
        FactView v = FactView.fold(List.of(late, early), at(0));
        FactView.Entry only = v.entries().get(0);
        assertEquals(List.of(late), only.assertions(), "a later seq does not beat a later expiry");
        assertEquals(at(300), only.expires());
        // once the late one is the only one left, nothing changes; the early one never resurfaces
        assertTrue(FactView.fold(List.of(late, early), at(300)).isEmpty());
    }

    @Test
    void equalExpiryKeepsTheFirstAssertion() {
        Fact f = endpoint(1, "198.51.100.1:51820", 200);
        FactEvent first = event(7, f, gossip(2, 0));
        FactEvent dup = event(9, f, gossip(2, 5));
        assertEquals(List.of(first), FactView.fold(List.of(dup, first), at(0)).entries().get(0).assertions());
    }

    @Test
    void everyAuthorIsListedAndTheLatestExpiryIsTheFact() {
        Fact f = endpoint(1, "198.51.100.1:51820", 0);
        FactEvent byThree = event(1, f.withExpiry(at(250)), gossip(3, 0));
        FactEvent byTwo = event(2, f.withExpiry(at(200)), gossip(2, 0));
        FactEvent bySelf = event(3, f.withExpiry(at(100)), local(9, 0));
        FactView v = FactView.fold(List.of(byThree, byTwo, bySelf), at(0));
        assertEquals(1, v.size());
        FactView.Entry e = v.get(f.key()).orElseThrow();
        assertEquals(at(250), e.fact().expires());
        assertEquals(List.of(byTwo, byThree, bySelf), e.assertions(), "ordered by author key");
        assertEquals(List.of(byTwo.provenance(), byThree.provenance(), bySelf.provenance()), e.provenances());
        assertTrue(v.assertedBy(f.key(), key(9)));
        assertTrue(v.assertedVia(f.key(), Channel.LOCAL));
        assertTrue(v.assertedVia(f.key(), Channel.GOSSIP));
        assertFalse(v.assertedVia(f.key(), Channel.DHT));
        assertFalse(v.assertedBy(f.key(), key(4)));
        assertEquals(Optional.of(at(100)), v.nextExpiry(), "the earliest assertion, not the earliest fact");

        FactView later = FactView.fold(List.of(byThree, byTwo, bySelf), at(100));
        assertFalse(later.assertedVia(f.key(), Channel.LOCAL), "the local assertion expired");
        assertEquals(2, later.get(f.key()).orElseThrow().assertions().size());
    }

    @Test
    void aNewBootIdSupersedesTheOldOneBecauseAliveIgnoresItsValue() {
        FactEvent boot1 = event(1, alive(1, 111, 255), gossip(1, 0));
        FactEvent boot2 = event(2, alive(1, 222, 285), gossip(1, 30));
        FactView v = FactView.fold(List.of(boot1, boot2), at(30));
        assertEquals(1, v.size());
        assertEquals(new FactValue.BootId(new UUID(0, 222)), v.entries().get(0).fact().value());
        assertEquals(List.of(boot2), v.entries().get(0).assertions());
        // two endpoints are two keys, though
        FactView eps = FactView.fold(List.of(event(1, endpoint(1, "198.51.100.1:1", 99), gossip(1, 0)),
                event(2, endpoint(1, "198.51.100.1:2", 99), gossip(1, 0))), at(0));
        assertEquals(2, eps.size());
    }

    @Test
    void iterationIsSortedBySubjectAttributeAndValueWhateverTheInputOrder() {
        List<FactEvent> events = new ArrayList<>();
        long seq = 1;
        for (int s = 5; s >= 1; s--) {
            events.add(event(seq++, endpoint(s, "198.51.100.9:51820", 500), gossip(1, 0)));
            events.add(event(seq++, endpoint(s, "198.51.100.10:51820", 500), gossip(2, 0)));
            events.add(event(seq++, endpoint(s, "[2001:db8::1]:51820", 500), gossip(3, 0)));
            events.add(event(seq++, allowed(s, "10.0." + s + ".0/24", 500), gossip(1, 0)));
            events.add(event(seq++, alive(s, s, 400), gossip(s, 0)));
        }
        FactView reference = FactView.fold(events, at(0));
        Random r = new Random(42);
        for (int i = 0; i < 20; i++) {
            Collections.shuffle(events, r);
            FactView v = FactView.fold(events, at(0));
            assertEquals(reference, v);
            assertEquals(reference.entries(), v.entries());
            assertEquals(reference.toString(), v.toString());
        }
        List<Fact> facts = reference.facts();
        assertEquals(25, facts.size());
        for (int i = 1; i < facts.size(); i++) {
            Fact a = facts.get(i - 1);
            Fact b = facts.get(i);
            int c = a.subject().compareTo(b.subject());
            assertTrue(c < 0 || (c == 0 && (a.attribute().code() & 0xff) <= (b.attribute().code() & 0xff)),
                    a + " before " + b);
        }
        // '!' < 'E' < 'a' < 'e'; within 'e', 198.51.100.9 < 198.51.100.10 as bytes
        List<Fact> subject1 = new ArrayList<>();
        reference.bySubject(key(1)).forEach(e -> subject1.add(e.fact()));
        assertEquals(List.of(Attribute.ALIVE, Attribute.ENDPOINT_V6, Attribute.ALLOWED_CIDR_V4, Attribute.ENDPOINT_V4,
                Attribute.ENDPOINT_V4), subject1.stream().map(Fact::attribute).toList());
        assertEquals("198.51.100.9:51820", subject1.get(3).value().toString());
    }

    @Test
    void indexesAgreeWithTheEntries() {
        List<FactEvent> events = List.of(
                event(1, endpoint(1, "198.51.100.1:51820", 500), gossip(1, 0)),
                event(2, allowed(1, "10.0.1.0/24", 600), gossip(1, 0)),
                event(3, allowed(2, "10.0.2.0/24", 700), gossip(2, 0)),
                event(4, alive(3, 3, 50), gossip(3, 0)));
        FactView v = FactView.fold(events, at(0));
        assertEquals(List.of(key(1), key(2), key(3)), List.copyOf(v.subjects()));
        assertEquals(2, v.bySubject(key(1)).size());
        assertEquals(2, v.byAttribute(Attribute.ALLOWED_CIDR_V4).size());
        assertEquals(List.of(), v.byAttribute(Attribute.MEMBER_METADATA));
        assertEquals(List.of(), v.bySubject(key(9)));
        assertEquals(Optional.of(at(50)), v.nextExpiry());
        assertTrue(FactView.fold(events, at(1000)).nextExpiry().isEmpty());
        assertEquals(FactView.empty(), FactView.fold(List.of(), at(0)));
    }
}
