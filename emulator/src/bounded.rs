//! A map with a fixed capacity, so that no request can make the emulator's memory grow
//! without bound: tokens, lockout keys, SMS keys and attempt counters all live in one.

use std::borrow::Borrow;
use std::collections::hash_map::{Entry, HashMap};
use std::hash::Hash;

/// [`WhenFull::DropLowest`] drops this fraction of the capacity at once.
const DROP_FRACTION: usize = 64;

/// What to drop when the map is full of live entries and a new key arrives.
pub(crate) enum WhenFull<V> {
    /// Everything (attempt bookkeeping: losing it only forgives some attempts).
    Clear,
    /// The entries with the lowest rank (e.g. the oldest tokens): 1/64 of the capacity (at
    /// least one), so that a full map is not scanned again for every new key.
    DropLowest(fn(&V) -> u64),
}

/// A `HashMap` holding at most `capacity` keys. Room for a new key is made by first dropping
/// the entries that are no longer live, then, if it is still full, as [`WhenFull`] says.
pub(crate) struct BoundedMap<K, V> {
    map: HashMap<K, V>,
    capacity: usize,
    when_full: WhenFull<V>,
}

impl<K: Hash + Eq + Clone, V> BoundedMap<K, V> {
    pub(crate) fn new(capacity: usize, when_full: WhenFull<V>) -> Self {
        BoundedMap {
            map: HashMap::new(),
            capacity,
            when_full,
        }
    }

    /// Makes room for `key` if it is new and the map is full; `live` says which entries to keep.
    fn make_room(&mut self, key: &K, live: impl FnMut(&V) -> bool) {
        if self.map.len() < self.capacity || self.map.contains_key(key) {
            return;
        }
        let mut live = live;
        self.map.retain(|_, v| live(v));
        if self.map.len() < self.capacity {
            return;
        }
        match self.when_full {
            WhenFull::Clear => self.map.clear(),
            WhenFull::DropLowest(rank) => {
                // The lowest-ranked 1/64 at once, not one: full of live entries, the map would
                // otherwise be scanned whole for every new key (a login then cost milliseconds
                // once 100,000 tokens were live).
                let batch = (self.capacity / DROP_FRACTION).max(1);
                let mut ranked: Vec<(u64, K)> =
                    self.map.iter().map(|(k, v)| (rank(v), k.clone())).collect();
                if ranked.len() > batch {
                    ranked.select_nth_unstable_by_key(batch - 1, |(r, _)| *r);
                    ranked.truncate(batch);
                }
                for (_, k) in ranked {
                    self.map.remove(&k);
                }
            }
        }
    }

    /// The entry for `key`, room made for it first; `live` says which entries may not be dropped.
    pub(crate) fn entry(&mut self, key: K, live: impl FnMut(&V) -> bool) -> Entry<'_, K, V> {
        self.make_room(&key, live);
        self.map.entry(key)
    }

    /// Stores `value` under `key`, room made for it first; `live` says which entries may not be
    /// dropped.
    pub(crate) fn insert(&mut self, key: K, value: V, live: impl FnMut(&V) -> bool) {
        self.make_room(&key, live);
        self.map.insert(key, value);
    }

    pub(crate) fn get<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.map.get(key)
    }

    pub(crate) fn get_mut<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.map.get_mut(key)
    }

    /// Every value, in no particular order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.map.values()
    }

    /// Every value, mutably, in no particular order.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.map.values_mut()
    }

    pub(crate) fn remove<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.map.remove(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dead_entries_go_first_then_everything() {
        let mut m = BoundedMap::new(2, WhenFull::Clear);
        m.insert(1, 10, |_| true);
        m.insert(2, 20, |_| true);
        m.insert(2, 21, |_| false); // an existing key never evicts
        assert_eq!((m.get(&1), m.get(&2)), (Some(&10), Some(&21)));
        m.insert(3, 30, |v| *v != 10);
        assert_eq!(
            (m.get(&1), m.get(&2), m.get(&3)),
            (None, Some(&21), Some(&30))
        );
        *m.entry(4, |_| true).or_default() += 40;
        assert_eq!((m.get(&2), m.get(&3), m.get(&4)), (None, None, Some(&40)));
    }

    #[test]
    fn drop_lowest_drops_a_batch_of_the_lowest() {
        let mut m = BoundedMap::new(128, WhenFull::DropLowest(|v: &u64| *v));
        for k in (0..128u64).rev() {
            m.insert(k, k, |_| true);
        }
        m.insert(1000, 1000, |_| true);
        // 128 / 64 = the two lowest went; the rest and the new key stay.
        assert_eq!((m.get(&0), m.get(&1)), (None, None));
        assert!((2..128u64).all(|k| m.get(&k) == Some(&k)));
        assert_eq!(m.get(&1000), Some(&1000));
        // Room for one more without dropping anything.
        m.insert(1001, 1001, |_| true);
        assert!((2..128u64).all(|k| m.get(&k).is_some()));
        assert_eq!(m.values().count(), 128);
    }

    #[test]
    fn drop_lowest_keeps_the_rest() {
        let mut m = BoundedMap::new(2, WhenFull::DropLowest(|v: &u64| *v));
        m.insert("b", 2, |_| true);
        m.insert("a", 1, |_| true);
        m.insert("c", 3, |_| true);
        assert_eq!(
            (m.get(&"a"), m.get(&"b"), m.get(&"c")),
            (None, Some(&2), Some(&3))
        );
        if let Some(v) = m.get_mut(&"b") {
            *v = 9;
        }
        assert_eq!(m.remove(&"b"), Some(9));
    }
}
