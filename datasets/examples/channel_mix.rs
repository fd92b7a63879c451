//! How a world folder's logs split between search and feed: the figures
//! `docs/world-model.md` calibrates the world model's defaults against.
//!
//! ```text
//! searchrec generate --scale small --seed 7 --out /tmp/small
//! cargo run --release -p searchrec-datasets --example channel_mix -- /tmp/small
//! ```
//!
//! or, without the CLI, on a world generated in memory (the same world
//! `generate` writes for that scenario and seed):
//!
//! ```text
//! cargo run --release -p searchrec-datasets --example channel_mix -- --generate SCENARIO.toml 7
//! ```

use std::collections::HashMap;
use std::path::Path;

use searchrec_datasets::io::read_world;
use searchrec_datasets::{Action, Channel, NeedOrigin, Scenario, generate};

const USAGE: &str = "usage: channel_mix WORLD_FOLDER | channel_mix --generate SCENARIO.toml SEED";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let world = match args.as_slice() {
        [dir] => read_world(Path::new(dir))?,
        [flag, scenario, seed] if flag == "--generate" => {
            generate(&Scenario::from_file(Path::new(scenario))?, seed.parse()?)?
        }
        _ => return Err(USAGE.into()),
    };
    let catalog = &world.observable.catalog;
    let events = &world.observable.logs.events;

    let mut sessions: HashMap<u32, Channel> = HashMap::new();
    let (mut orders, mut gmv) = ([0u64; 2], [0f64; 2]);
    let mut spend = vec![0f64; world.observable.users.len()];
    for e in events {
        sessions.insert(e.session, e.channel);
        if e.action == Action::Purchase {
            let price = catalog.item(e.item.expect("a purchase names its item")).price as f64;
            let c = (e.channel == Channel::Feed) as usize;
            orders[c] += 1;
            gmv[c] += price;
            spend[e.user.index()] += price;
        }
    }
    let searches = sessions.values().filter(|&&c| c == Channel::Search).count();
    let share = |a: f64, b: f64| 100.0 * a / (a + b).max(f64::MIN_POSITIVE);
    println!(
        "sessions        {:>9}  search {:5.1}%",
        sessions.len(),
        share(searches as f64, (sessions.len() - searches) as f64)
    );
    println!("purchases       {:>9}  search {:5.1}%", orders[0] + orders[1], share(orders[0] as f64, orders[1] as f64));
    println!("GMV             {:>9.0}  search {:5.1}%", gmv[0] + gmv[1], share(gmv[0], gmv[1]));

    let days = world.scenario.logs.days as f64;
    let mut per_28: Vec<f64> = spend.iter().map(|s| s * 28.0 / days).collect();
    per_28.sort_by(f64::total_cmp);
    let at = |q: f64| per_28[((per_28.len() - 1) as f64 * q) as usize];
    let mean = per_28.iter().sum::<f64>() / per_28.len().max(1) as f64;
    println!(
        "spend/user/28d  mean {mean:.1}  p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}",
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );

    // Needs of the logged period (evaluation needs have their own origin).
    // A need closes when its purchase event is written, one event step (3 s) after it.
    let bought_in: HashMap<(u32, u32), Channel> =
        events.iter().filter(|e| e.action == Action::Purchase).map(|e| ((e.user.0, e.time + 3), e.channel)).collect();
    let (mut organic, mut seeded, mut seeded_bought, mut seeded_in_search) = (0u64, 0u64, 0u64, 0u64);
    for need in &world.truth().expect("a generated world has its truth").needs {
        match need.origin {
            NeedOrigin::Organic => organic += 1,
            NeedOrigin::Seeded(_) => {
                seeded += 1;
                if let Some(closed) = need.closed.filter(|_| need.bought.is_some()) {
                    seeded_bought += 1;
                    seeded_in_search += (bought_in.get(&(need.user.0, closed)) == Some(&Channel::Search)) as u64;
                }
            }
            NeedOrigin::Evaluation => {}
        }
    }
    println!(
        "needs           organic {organic}  seeded {seeded}  seeded bought {seeded_bought} (in search {seeded_in_search})"
    );
    Ok(())
}
