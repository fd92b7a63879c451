//! A world's fingerprint: a 64-bit FNV-1a hash of everything engines and the
//! evaluation read (the observable tables, the judgements), so that shards of
//! one run, each holding its own copy of the world, can prove it is the same.

use crate::world::World;

/// FNV-1a over the bytes fed to it, in a fixed field order and encoding
/// (little-endian numbers, length-prefixed strings), so the value is stable
/// across platforms and versions of Rust.
struct Fnv(u64);

impl Fnv {
    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }

    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.bytes(s.as_bytes());
    }
}

/// The fingerprint of `world`, as 16 hex digits.
pub fn fingerprint(world: &World) -> String {
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    let o = &world.observable;
    h.str(world.dataset().unwrap_or("generated"));
    h.u64(world.seed);
    h.u64(o.catalog.items.len() as u64);
    for item in &o.catalog.items {
        h.str(&item.title);
        h.str(&item.brand);
        h.str(&item.description);
        h.u64(u64::from(item.leaf.0));
        h.u64(u64::from(item.price.to_bits()) << 32 | u64::from(item.rating.to_bits()));
        h.u64(u64::from(item.review_count) << 32 | u64::from(item.sales_count));
    }
    h.u64(o.catalog.category_paths.len() as u64);
    o.catalog.category_paths.iter().for_each(|p| h.str(p));
    h.u64(o.users.len() as u64);
    for user in &o.users {
        h.u64(u64::from(user.age_band) << 32 | u64::from(user.region) << 16 | u64::from(user.tenure_days));
    }
    h.u64(o.logs.events.len() as u64);
    for e in &o.logs.events {
        h.u64(u64::from(e.time) << 32 | u64::from(e.user.0));
        h.u64(u64::from(e.session) << 32 | (e.channel as u64) << 8 | e.action as u64);
        h.u64(e.item.map_or(u64::MAX, |i| u64::from(i.0)));
        h.u64(e.position.map_or(u64::MAX, u64::from) << 32 | e.query.map_or(u64::from(u32::MAX), u64::from));
    }
    h.u64(o.logs.queries.len() as u64);
    o.logs.queries.iter().for_each(|q| h.str(q));
    h.u64(o.queries.len() as u64);
    for q in &o.queries {
        h.u64(u64::from(q.user.0) << 32 | u64::from(q.time));
        h.str(&q.text);
    }
    h.u64(world.qrels.judgements.len() as u64);
    for j in &world.qrels.judgements {
        h.u64(u64::from(j.query.0) << 32 | u64::from(j.item.0));
        h.u64(u64::from(j.grade.level()));
    }
    h.u64(world.feed_judgements.len() as u64);
    for f in &world.feed_judgements {
        h.u64(u64::from(f.user.0));
        h.u64(f.items.len() as u64);
        f.items.iter().for_each(|i| h.u64(u64::from(i.0)));
    }
    format!("{:016x}", h.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Scale, Scenario, generate};

    #[test]
    fn the_same_world_has_the_same_fingerprint_and_any_change_another() {
        let scenario = Scenario::preset(Scale::Tiny);
        let world = generate(&scenario, 3).unwrap();
        let print = fingerprint(&world);
        assert_eq!(print, fingerprint(&generate(&scenario, 3).unwrap()));
        assert_ne!(print, fingerprint(&generate(&scenario, 4).unwrap()));
        let mut changed = world.clone();
        changed.observable.catalog.items[5].title.push('x');
        assert_ne!(print, fingerprint(&changed));
        let mut changed = world;
        changed.qrels.judgements.pop();
        assert_ne!(print, fingerprint(&changed));
    }
}
