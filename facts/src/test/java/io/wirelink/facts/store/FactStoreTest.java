package io.wirelink.facts.store;

import static io.wirelink.facts.store.TestFacts.alive;
import static io.wirelink.facts.store.TestFacts.at;
import static io.wirelink.facts.store.TestFacts.config;
import static io.wirelink.facts.store.TestFacts.endpoint;
import static io.wirelink.facts.store.TestFacts.gossip;
import static io.wirelink.facts.store.TestFacts.key;
import static io.wirelink.facts.store.TestFacts.local;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactValue;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.SignedGroupValue;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FactStoreTest {
    static final FactStore.Options SMALL = FactStore.Options.DEFAULTS.withMaxEvents(10).withMaxEventsPerAuthor(4);

    static FactEvent appended(AppendResult r) {
        return assertInstanceOf(AppendResult.Appended.class, r).event();
    }

    static AppendResult.Reason refused(AppendResult r) {
        return assertInstanceOf(AppendResult.Refused.class, r).reason();
    }

    @Test
    void appendAssignsIncreasingSeqAndTheViewShowsTheFacts() {
        FactStore s = FactStore.inMemory(FactStore.Options.DEFAULTS);
        FactEvent a = appended(s.append(endpoint(1, "198.51.100.1:51820", 255), gossip(1, 0)));
        FactEvent b = appended(s.append(alive(1, 7, 255), gossip(1, 0)));
        assertEquals(1, a.seq());
        assertEquals(2, b.seq());
        assertEquals(List.of(a, b), s.events());
        assertEquals(FactView.fold(List.of(a, b), at(0)), s.view(at(0)));
        assertEquals(2, s.view(at(0)).size());
        assertTrue(s.view(at(255)).isEmpty());
    }

    @Test
    void anAssertionThatDoesNotOutliveTheCurrentOneChangesNothing() {
        FactStore s = FactStore.inMemory(FactStore.Options.DEFAULTS);
        FactEvent first = appended(s.append(endpoint(1, "198.51.100.1:51820", 255), gossip(2, 0)));
        FactView before = s.view(at(1));
        AppendResult same = s.append(endpoint(1, "198.51.100.1:51820", 255), gossip(2, 1));
        AppendResult shorter = s.append(endpoint(1, "198.51.100.1:51820", 200), gossip(2, 2));
        assertEquals(new AppendResult.Unchanged(first), same);
        assertEquals(new AppendResult.Unchanged(first), shorter);
        assertEquals(List.of(first), s.events());
        assertEquals(before, s.view(at(1)));
        assertEquals(2, s.stats().unchanged());

        AppendResult.Appended longer = assertInstanceOf(AppendResult.Appended.class,
                s.append(endpoint(1, "198.51.100.1:51820", 300), gossip(2, 45)));
        assertEquals(Optional.of(first), longer.replaced());
        assertEquals(List.of(longer.event()), s.events(), "the replaced event left the log");
        assertEquals(2, longer.event().seq(), "no-ops do not consume sequence numbers");
    }

    @Test
    void aNewBootIdFromTheSameAuthorReplacesTheOldOne() {
        FactStore s = FactStore.inMemory(FactStore.Options.DEFAULTS);
        appended(s.append(alive(1, 111, 255), gossip(1, 0)));
        FactEvent reboot = appended(s.append(alive(1, 222, 265), gossip(1, 10)));
        assertEquals(List.of(reboot), s.events());
        assertEquals(new FactValue.BootId(new UUID(0, 222)), s.view(at(10)).facts().get(0).value());
    }

    @Test
    void factsExpiredOnArrivalAreRefusedAndExpiryDropsEvents() {
        FactStore s = FactStore.inMemory(FactStore.Options.DEFAULTS);
        assertEquals(AppendResult.Reason.EXPIRED, refused(s.append(endpoint(1, "198.51.100.1:1", 10), gossip(1, 10))));
        appended(s.append(endpoint(1, "198.51.100.1:1", 20), gossip(1, 10)));
        appended(s.append(endpoint(1, "198.51.100.1:2", 30), gossip(1, 10)));
        appended(s.append(endpoint(1, "198.51.100.1:3", 30), local(9, 10)));
        assertEquals(Optional.of(at(20)), s.nextExpiry());
        assertEquals(0, s.expire(at(19)));
        assertEquals(1, s.expire(at(20)));
        assertEquals(Optional.of(at(30)), s.nextExpiry());
        assertEquals(2, s.expire(at(1000)));
        assertEquals(List.of(), s.events());
        assertEquals(0, s.size(key(1)));
        assertEquals(0, s.stats().authors(), "no empty per-author rows are left behind");
        assertEquals(3, s.stats().expired());
    }

    @Test
    void expiriesBeyondMaxTtlAreClamped() {
        FactStore s = FactStore.inMemory(FactStore.Options.DEFAULTS.withMaxTtl(Duration.ofHours(1)));
        AppendResult.Appended r = assertInstanceOf(AppendResult.Appended.class,
                s.append(endpoint(1, "198.51.100.1:1", 7200), gossip(1, 0)));
        assertTrue(r.clamped());
        assertEquals(at(3600), r.event().expires());
        AppendResult.Appended never = assertInstanceOf(AppendResult.Appended.class,
                s.append(Fact.endpoint(key(2), IpEndpoint.parse("198.51.100.2:1"), Instant.MAX), config(9, 0)));
        assertEquals(at(3600), never.event().expires(), "'never expires' is clamped, not an overflow");
        assertEquals(2, s.stats().clamped());
    }

    @Test
    void expiryAndReceiptAreKeptToTheMillisecond() {
        FactStore s = FactStore.inMemory(FactStore.Options.DEFAULTS);
        Fact f = endpoint(1, "198.51.100.1:1", 100).withExpiry(at(100).plusNanos(1_234_567));
        FactEvent e = appended(s.append(f, new Provenance(key(1), Channel.DHT, null, at(0).plusNanos(999_999))));
        assertEquals(at(100).plusMillis(1), e.expires());
        assertEquals(at(0), e.provenance().receivedAt());
    }

    @Test
    void anAuthorAtItsCapIsRefusedWhileOthersAreNot() {
        FactStore s = FactStore.inMemory(SMALL);
        for (int port = 1; port <= 4; port++) {
            appended(s.append(endpoint(1, "198.51.100.1:" + port, 255), gossip(5, 0)));
        }
        assertEquals(AppendResult.Reason.AUTHOR_FULL,
                refused(s.append(endpoint(1, "198.51.100.1:99", 255), gossip(5, 0))));
        // refreshing what it already asserts needs no room
        appended(s.append(endpoint(1, "198.51.100.1:1", 300), gossip(5, 10)));
        appended(s.append(endpoint(1, "198.51.100.1:99", 255), gossip(6, 0)));
        assertEquals(4, s.size(key(5)));
        assertEquals(1, s.stats().refusedAuthorFull());
    }

    @Test
    void aFullStoreRefusesRemoteFactsAndLocalFactsEvictTheRemoteOneThatExpiresFirst() {
        FactStore s = FactStore.inMemory(SMALL);
        for (int author = 1; author <= 3; author++) {
            for (int port = 1; port <= 3; port++) {
                appended(s.append(endpoint(1, "198.51.100.1:" + port, 100L * author + port), gossip(author, 0)));
            }
        }
        appended(s.append(endpoint(2, "198.51.100.2:1", 50), local(9, 0)));
        assertEquals(10, s.size());
        assertEquals(AppendResult.Reason.STORE_FULL,
                refused(s.append(endpoint(3, "198.51.100.3:1", 500), gossip(4, 0))));

        AppendResult.Appended r = assertInstanceOf(AppendResult.Appended.class,
                s.append(endpoint(2, "198.51.100.2:2", 255), config(9, 0)));
        FactEvent victim = r.evicted().orElseThrow();
        assertEquals(key(1), victim.provenance().author());
        assertEquals(at(101), victim.expires(), "the remote event expiring first, not the local one at +50 s");
        assertEquals(10, s.size());
        assertEquals(1, s.stats().evicted());
        assertEquals(1, s.stats().refusedStoreFull());
    }

    @Test
    void boundsGrowWithTheSubjectsHeldUpToTheirCeilings() {
        // a router asserting facts about many members: 4 per author would refuse the fifth, 2 per subject does not
        FactStore s = FactStore.inMemory(SMALL);
        s.scaleWithSubjects(2, 3, 9, 12);
        for (int subject = 1; subject <= 4; subject++) {
            for (int port = 1; port <= 2; port++) {
                appended(s.append(endpoint(subject, "198.51.100." + subject + ":" + port, 255), gossip(5, 0)));
            }
        }
        assertEquals(8, s.size(key(5)), "2 per subject held, beyond the 4 of the options");
        assertEquals(AppendResult.Reason.AUTHOR_FULL,
                refused(s.append(endpoint(1, "198.51.100.1:3", 255), gossip(5, 0))), "a third about one subject");
        appended(s.append(endpoint(7, "198.51.100.7:1", 255), gossip(5, 0))); // a new subject brings room
        assertEquals(AppendResult.Reason.AUTHOR_FULL,
                refused(s.append(endpoint(8, "198.51.100.8:1", 255), gossip(5, 0))), "the ceiling of 9 holds");
        appended(s.append(endpoint(8, "198.51.100.8:1", 255), gossip(6, 0)));
        appended(s.append(endpoint(8, "198.51.100.8:2", 255), gossip(6, 0)));
        appended(s.append(endpoint(9, "198.51.100.9:1", 255), gossip(6, 0)));
        assertEquals(12, s.events().size());
        assertEquals(AppendResult.Reason.STORE_FULL,
                refused(s.append(endpoint(10, "198.51.100.10:1", 255), gossip(6, 0))), "the ceiling of 12 in all");
    }

    @Test
    void localAndConfigFactsAreNeverEvicted() {
        FactStore s = FactStore.inMemory(FactStore.Options.DEFAULTS.withMaxEvents(6).withMaxEventsPerAuthor(6));
        for (int port = 1; port <= 3; port++) {
            appended(s.append(endpoint(9, "198.51.100.9:" + port, 100), local(9, 0)));
            appended(s.append(endpoint(8, "198.51.100.8:" + port, 100), config(9, 0)));
        }
        List<FactEvent> own = s.events();
        for (int author = 1; author <= 5; author++) {
            assertEquals(AppendResult.Reason.STORE_FULL,
                    refused(s.append(endpoint(1, "198.51.100.1:1", 500), gossip(author, 0))));
        }
        assertEquals(AppendResult.Reason.AUTHOR_FULL,
                refused(s.append(endpoint(9, "198.51.100.9:4", 100), local(9, 0))));
        assertEquals(own, s.events());
    }

    @Test
    void expiredEventsMakeRoomBeforeAnythingIsRefused() {
        FactStore s = FactStore.inMemory(SMALL);
        for (int port = 1; port <= 4; port++) {
            appended(s.append(endpoint(1, "198.51.100.1:" + port, 10), gossip(5, 0)));
        }
        // expire() was never called, but at t=10 all four are gone
        appended(s.append(endpoint(1, "198.51.100.1:99", 255), gossip(5, 10)));
        assertEquals(1, s.size(key(5)));
        assertEquals(4, s.stats().expired());
    }

    @Test
    void groupsAreNotFacts() {
        FactStore s = FactStore.inMemory(FactStore.Options.DEFAULTS);
        Fact group = new Fact(Attribute.SIGNED_GROUP, key(1),
                new SignedGroupValue(1, new byte[24], new byte[16], new byte[0], List.of(), 0), at(10));
        assertThrows(IllegalArgumentException.class, () -> s.append(group, gossip(1, 0)));
    }

    @Test
    void optionsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> FactStore.Options.DEFAULTS.withMaxEvents(0));
        assertThrows(IllegalArgumentException.class, () -> FactStore.Options.DEFAULTS.withMaxEventsPerAuthor(200_000));
        assertThrows(IllegalArgumentException.class, () -> FactStore.Options.DEFAULTS.withMaxTtl(Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> FactStore.Options.DEFAULTS.withCommitDelay(Duration.ofSeconds(-1)));
        assertEquals(10, FactStore.Options.DEFAULTS.withMaxEvents(10).maxEventsPerAuthor());
    }

    @Test
    void aClosedStoreSaysSo() {
        FactStore s = FactStore.inMemory(FactStore.Options.DEFAULTS);
        s.close();
        s.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.view(at(0)));
        assertTrue(e.getMessage().contains("closed"));
        assertFalse(e.getMessage().isEmpty());
    }

    @Test
    void retractWithdrawsOneAuthorsAssertionOnly() {
        FactStore store = FactStore.inMemory(FactStore.Options.DEFAULTS);
        io.wirelink.facts.PublicKey self = io.wirelink.facts.PublicKey.of(new byte[32]);
        byte[] o = new byte[32];
        o[0] = 7;
        io.wirelink.facts.PublicKey other = io.wirelink.facts.PublicKey.of(o);
        java.time.Instant t = java.time.Instant.parse("2026-11-22T10:00:00Z");
        io.wirelink.facts.Fact f = io.wirelink.facts.Fact.member(other, io.wirelink.facts.MemberMetadata.EMPTY,
                t.plusSeconds(60));
        store.append(f, Provenance.local(self, Channel.LOCAL, t));
        store.append(f, new Provenance(other, Channel.GOSSIP, null, t));
        assertTrue(store.retract(f, self));
        assertFalse(store.retract(f, self), "already withdrawn");
        FactView v = store.view(t);
        assertEquals(1, v.size());
        assertFalse(v.get(f.key()).orElseThrow().assertedBy(self));
        assertTrue(v.get(f.key()).orElseThrow().assertedBy(other));
        assertEquals(v, FactView.fold(store.events(), t), "the view is still the fold of what remains");
        assertTrue(store.retract(f, other));
        assertTrue(store.view(t).isEmpty());
    }
}
