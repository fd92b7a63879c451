//! Scenario files: every constant of the world model, with its default.
//!
//! A scenario is TOML. Every section and field is optional; a missing field
//! takes the default documented here, and `scale` picks the sizes
//! (items, users, days, query count, judgement caps) of a named preset unless
//! the file sets them. Unknown fields are errors, so a typo never silently
//! falls back to a default, and every field has a finite upper bound (sizes
//! with the reason for it, plus estimates of memory and logged sessions from
//! several sizes together), checked at load before anything is allocated.
//!
//! ```toml
//! scale = "small"
//! [queries]
//! typo = 0.1
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{DatasetError, Result};

/// Named world sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// A few hundred items: unit and property tests.
    Tiny,
    /// 20k items, 10k users: the demo and CI.
    #[default]
    Small,
    /// About 1M items, 1M users and 20M log events.
    Medium,
    /// 10M items; logs stream to disk in bounded memory.
    Large,
}

impl Scale {
    /// Parses a scale name.
    pub fn parse(name: &str) -> Option<Scale> {
        match name {
            "tiny" => Some(Scale::Tiny),
            "small" => Some(Scale::Small),
            "medium" => Some(Scale::Medium),
            "large" => Some(Scale::Large),
            _ => None,
        }
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Tiny => "tiny",
            Scale::Small => "small",
            Scale::Medium => "medium",
            Scale::Large => "large",
        }
    }

    /// (items, users, log days, evaluation queries, max judged substitutes and
    /// complements per query).
    fn sizes(self) -> (u32, u32, u32, u32, u32) {
        match self {
            Scale::Tiny => (600, 300, 20, 60, 2_000),
            Scale::Small => (20_000, 10_000, 60, 1_000, 2_000),
            Scale::Medium => (1_000_000, 1_000_000, 15, 2_000, 500),
            Scale::Large => (10_000_000, 10_000_000, 15, 2_000, 500),
        }
    }
}

/// A whole scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Scenario {
    /// The size preset; fields set in the file win over it.
    pub scale: Scale,
    /// World sizes and the latent space.
    pub world: WorldParams,
    /// Items and their observable statistics.
    pub items: ItemParams,
    /// Users' latent traits.
    pub users: UserParams,
    /// How needs arise.
    pub needs: NeedParams,
    /// The evaluation query set and its noise.
    pub queries: QueryParams,
    /// Relevance judgements.
    pub judgements: JudgementParams,
    /// How users react to a shown list (shared by the log generator and the simulator).
    pub behaviour: BehaviourParams,
    /// The historical log period and its logging policy.
    pub logs: LogParams,
}

/// World sizes and the latent space.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorldParams {
    /// Number of items (default: by scale; small 20 000).
    pub items: u32,
    /// Number of users (default: by scale; small 10 000).
    pub users: u32,
    /// Dimension of the latent interest space (default 32).
    pub latent_dim: u32,
    /// Zipf exponent of leaf popularity: share of items and interest per leaf (default 0.9).
    pub leaf_zipf: f64,
    /// Number of region codes in user profiles (default 8).
    pub regions: u32,
}

/// Items.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ItemParams {
    /// Quality ~ Beta(quality_alpha, quality_beta) (default 2.0).
    pub quality_alpha: f64,
    /// See `quality_alpha` (default 2.0).
    pub quality_beta: f64,
    /// Standard deviation of the rating around 1 + 4·quality (default 0.5).
    pub rating_noise: f64,
    /// ln(sales) ~ Normal(sales_log_mean + sales_quality_lift·(quality − 0.5), sales_log_sigma) (default 2.5).
    pub sales_log_mean: f64,
    /// See `sales_log_mean` (default 1.4).
    pub sales_log_sigma: f64,
    /// See `sales_log_mean` (default 2.0).
    pub sales_quality_lift: f64,
    /// Share of sales that leave a review (default 0.08).
    pub review_rate: f64,
    /// ln(price) shifts by price_quality_lift·(quality − 0.5): better items cost more (default 0.4).
    pub price_quality_lift: f64,
    /// Share of titles that use a synonym of the leaf's noun instead of the canonical one (default 0.3).
    pub title_synonym_rate: f64,
    /// Weight of attribute directions in an item's latent vector (default 0.35).
    pub attribute_weight: f64,
    /// Norm of the isotropic noise in an item's latent vector (default 0.35).
    pub latent_noise: f64,
}

/// Users.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UserParams {
    /// A user is interested in 1..=max_interest_leaves leaves (default 4).
    pub max_interest_leaves: u32,
    /// Dirichlet concentration of the weights over those leaves (default 1.0).
    pub interest_concentration: f64,
    /// Weight of the user's taste in colours and styles (default 0.3).
    pub taste_weight: f64,
    /// Norm of the noise in a user's latent vector (default 0.25).
    pub latent_noise: f64,
    /// Median price sensitivity λ (default 1.0); ln λ ~ Normal(ln median, sigma).
    pub price_sensitivity_median: f64,
    /// See `price_sensitivity_median` (default 0.5).
    pub price_sensitivity_sigma: f64,
    /// Mean sessions per day; activity ~ Gamma(shape 2, mean) (default 0.25).
    pub activity_mean: f64,
    /// Dirichlet concentration of persona weights (shelf, interest, social)
    /// (default [1.0, 2.0, 0.5]). A session with an open need is a search with
    /// probability shelf / (shelf + interest), 1/3 on average: on an interest
    /// platform the feed holds most of the traffic, and with the other
    /// defaults this puts search near 40% of logged GMV, where Douyin
    /// e-commerce reported its shelf field (30%+ of GMV in 2023, aiming
    /// higher; docs/world-model.md).
    pub persona_concentration: [f64; 3],
}

/// Needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NeedParams {
    /// Organic needs per user per day (default 0.04, about one a month: with
    /// the feed seeding needs too, this is the share of demand that exists
    /// before any touchpoint, calibrated with `users.persona_concentration`
    /// and `behaviour.seed_offset` to the search share of GMV in
    /// docs/world-model.md).
    pub organic_rate: f64,
    /// Softmax temperature of the leaf choice over ⟨θ_u, leaf⟩ (default 6.0).
    pub leaf_temperature: f64,
    /// Probability that a need fixes each attribute dimension of its leaf (default 0.5).
    pub want_attribute: f64,
    /// Probability that an organic need insists on a brand (default 0.15).
    pub want_brand: f64,
    /// Probability that a seeded need wants the seen item's brand (default 0.5).
    pub seeded_brand: f64,
    /// Mean days a need stays open before it is abandoned (default 10.0).
    pub patience_days: f64,
    /// Probability that a need the feed seeds is deferred: not acted on in
    /// the session that seeded it, it opens `seeded_delay_days` later (on
    /// average) and is then looked for like any open need, in search as
    /// often as the user's persona searches. This is the seeded-search path
    /// ("search after viewing"): without it a seeded need is open at once and
    /// mostly converts on the spot in the feed, so feed exposure could never
    /// show up as search GMV. Default 0.5: about half of what a feed item
    /// makes a user want is a considered purchase rather than an impulse, the
    /// split that puts search near 40% of logged GMV with the other defaults
    /// (docs/world-model.md). Range 0 to 1.
    pub seeded_defer: f64,
    /// Mean delay, in days, before a deferred seeded need opens; the delay is
    /// exponential (default 2.0: shoppers come back to what they saw within a
    /// few days, well inside the default patience of 10 days and the 28-day
    /// budget period). Range: greater than 0, at most 365.
    pub seeded_delay_days: f64,
}

/// The query noise model, each a probability.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QueryParams {
    /// Queries in the evaluation set (default: by scale; small 1 000).
    pub count: u32,
    /// A wanted attribute (or brand) is left out of the query (default 0.35).
    pub drop_attribute: f64,
    /// The noun and each attribute value is typed as a synonym when one exists (default 0.4).
    pub synonym: f64,
    /// A query has one typo in a word of four letters or more (default 0.08).
    pub typo: f64,
    /// A need with a wanted brand is searched by the brand name alone (default 0.25).
    pub brand_only: f64,
    /// A query names only the broad category in vague words (default 0.06).
    pub vague: f64,
    /// A need the feed seeded is searched with a vague phrase for its broad
    /// category (default 0.3). The shopper remembers the kind of thing seen,
    /// rarely its product words, so seeded searches are vaguer than organic
    /// ones (`vague` is 0.06): what a search engine can recover of them
    /// depends on what it knows of the user's feed. Drawn before the usual
    /// rules, which write the rest. Range 0 to 1; with
    /// `seeded_brand_only` at most 1.
    pub seeded_vague: f64,
    /// A need the feed seeded that remembers the seen item's brand (see
    /// `needs.seeded_brand`) is searched by the brand name alone (default
    /// 0.3, a little above `brand_only`'s 0.25: the brand on the item is what
    /// sticks). Shares the draw with `seeded_vague`: the query is vague below
    /// `seeded_vague`, brand-only below `seeded_vague + seeded_brand_only`
    /// when the need has a brand, otherwise written by the usual rules.
    /// Range 0 to 1; with `seeded_vague` at most 1.
    pub seeded_brand_only: f64,
}

/// Relevance judgements, graded like Amazon ESCI.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JudgementParams {
    /// Gain of each grade. Default E = 1.0, S = 0.1, C = 0.01, I = 0 as in the
    /// ESCI paper; note that ESCI's own scoring script swaps S and C (S = 0.01, C = 0.1).
    pub gains: Gains,
    /// At most this many Substitute and this many Complement judgements per
    /// query, sampled uniformly; Exact items are always all judged (default: by scale; small 2 000).
    pub max_per_grade: u32,
}

/// Gain per grade.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Gains {
    /// Exact.
    pub exact: f64,
    /// Substitute.
    pub substitute: f64,
    /// Complement.
    pub complement: f64,
    /// Irrelevant.
    pub irrelevant: f64,
}

/// The behaviour model: how a user reacts to a shown list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BehaviourParams {
    /// Rank r (from 1) is examined with probability 1 / r^η (default 1.0).
    pub examination_eta: f64,
    /// Click logit weight of need match (1 / 0.5 / 0 for E / S / other) (default 2.5).
    pub click_match: f64,
    /// Click logit weight of latent affinity ⟨θ_u, φ_i⟩ (default 3.0).
    pub click_affinity: f64,
    /// Click logit weight of trust (default 1.0).
    pub click_trust: f64,
    /// Click logit offset d (default 4.0).
    pub click_offset: f64,
    /// Purchase utility weight of need match (default 2.5).
    pub buy_match: f64,
    /// Purchase utility weight of affinity (default 1.5).
    pub buy_affinity: f64,
    /// Purchase utility weight of trust (default 1.0).
    pub buy_trust: f64,
    /// Utility of buying nothing (default 3.5).
    pub no_purchase_utility: f64,
    /// Probability a clicked item that is not bought is still put in the cart (default 0.15).
    pub cart_abandon: f64,
    /// Seeding: a clicked feed item opens a need with probability σ(slope·⟨θ_u, φ_i⟩ − offset) (default 4.0).
    pub seed_slope: f64,
    /// See `seed_slope` (default 1.5: a clicked feed item of average
    /// affinity seeds a need with probability σ(−1.5) ≈ 0.18, a liked one
    /// (affinity 0.5) σ(0.5) ≈ 0.6; the feed creates demand, which is what
    /// interest e-commerce is, and with half of it deferred to a later search
    /// the channels split GMV as in docs/world-model.md).
    pub seed_offset: f64,
    /// Trust = ½·(rating − 1)/4 + ½·min(1, ln(1+sales)/ln(1+trust_sales_reference)) (default 1000).
    pub trust_sales_reference: f64,
    /// Weight, in utility units, of the shopper's taste for an item's style
    /// within its product type, added to both the click logit and the
    /// purchase utility. The taste term is the cosine between the parts of
    /// θ_u and φ_i orthogonal to the item's leaf centroid, times √(dim − 1),
    /// so it has unit variance for a direction unrelated to the user: the
    /// weight is the utility of one standard deviation of taste. Without it
    /// two users with the same need want nearly the same items (affinity is
    /// dominated by the shared leaf direction), so personalising search could
    /// gain almost nothing. Default 0.5: to a shopper of median price
    /// sensitivity (λ = 1) one standard deviation of taste is worth paying
    /// e^0.5 ≈ 1.65 times the price, the size of the premiums shoppers pay
    /// for a preferred brand or style (tens of percent), and it stays below
    /// the Gumbel noise (sd 1.28) and an attribute mismatch (1.25). Range 0
    /// to 10.
    pub within_leaf_taste: f64,
    /// Mean spending budget of a user per 28 days, in the catalogue's money;
    /// 0 means unbounded (default 1500). Finite demand makes the channels
    /// substitutes: money spent on a feed impulse is not there for a later
    /// search, which is what lets a "1+1>2" claim fail. A purchase whose
    /// price exceeds what is left is declined. GMV is dominated by dear
    /// product types (medians up to 900), so a budget near the mean spend
    /// (about 50) would forbid them outright; at 1500 the budget binds on
    /// heavy buyers and big-ticket items and forgoes about 13% of unbounded
    /// GMV and 3% of purchases (docs/world-model.md). Range 0 to 10⁹.
    pub budget_mean: f64,
    /// Standard deviation of ln(budget): budgets are lognormal with mean
    /// `budget_mean` (default 0.8: the top decile's budget is about 2.8
    /// times the median, like the spread of household discretionary
    /// spending). Range 0 to 3.
    pub budget_spread: f64,
}

/// The historical log period and its non-personalised logging policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogParams {
    /// Length of the logged period in days (default: by scale; tiny 20, small 60, medium and large 15).
    pub days: u32,
    /// Items shown per result list or feed page (default 20).
    pub list_length: u32,
    /// The feed samples items with probability ∝ (sales + 1)^exponent (default 0.8).
    pub feed_popularity_exponent: f64,
    /// The search policy scores items by matched query terms, considering the
    /// top `term_depth` best sellers of each term (default 300).
    pub term_depth: u32,
}

impl Default for WorldParams {
    fn default() -> Self {
        let (items, users, ..) = Scale::Small.sizes();
        WorldParams { items, users, latent_dim: 32, leaf_zipf: 0.9, regions: 8 }
    }
}

impl Default for ItemParams {
    fn default() -> Self {
        ItemParams {
            quality_alpha: 2.0,
            quality_beta: 2.0,
            rating_noise: 0.5,
            sales_log_mean: 2.5,
            sales_log_sigma: 1.4,
            sales_quality_lift: 2.0,
            review_rate: 0.08,
            price_quality_lift: 0.4,
            title_synonym_rate: 0.45,
            attribute_weight: 0.35,
            latent_noise: 0.35,
        }
    }
}

impl Default for UserParams {
    fn default() -> Self {
        UserParams {
            max_interest_leaves: 4,
            interest_concentration: 1.0,
            taste_weight: 0.3,
            latent_noise: 0.25,
            price_sensitivity_median: 1.0,
            price_sensitivity_sigma: 0.5,
            activity_mean: 0.25,
            persona_concentration: [1.0, 2.0, 0.5],
        }
    }
}

impl Default for NeedParams {
    fn default() -> Self {
        NeedParams {
            organic_rate: 0.04,
            leaf_temperature: 6.0,
            want_attribute: 0.5,
            want_brand: 0.15,
            seeded_brand: 0.5,
            patience_days: 10.0,
            seeded_defer: 0.5,
            seeded_delay_days: 2.0,
        }
    }
}

impl Default for QueryParams {
    fn default() -> Self {
        QueryParams {
            count: Scale::Small.sizes().3,
            drop_attribute: 0.35,
            synonym: 0.4,
            typo: 0.08,
            brand_only: 0.25,
            vague: 0.06,
            seeded_vague: 0.3,
            seeded_brand_only: 0.3,
        }
    }
}

impl Default for JudgementParams {
    fn default() -> Self {
        JudgementParams { gains: Gains::default(), max_per_grade: Scale::Small.sizes().4 }
    }
}

impl Default for Gains {
    fn default() -> Self {
        Gains { exact: 1.0, substitute: 0.1, complement: 0.01, irrelevant: 0.0 }
    }
}

impl Default for BehaviourParams {
    fn default() -> Self {
        BehaviourParams {
            examination_eta: 1.0,
            click_match: 2.5,
            click_affinity: 3.0,
            click_trust: 1.0,
            click_offset: 4.0,
            buy_match: 2.5,
            buy_affinity: 1.5,
            buy_trust: 1.0,
            no_purchase_utility: 3.5,
            cart_abandon: 0.15,
            seed_slope: 4.0,
            seed_offset: 1.5,
            trust_sales_reference: 1000.0,
            within_leaf_taste: 0.5,
            budget_mean: 1500.0,
            budget_spread: 0.8,
        }
    }
}

impl Default for LogParams {
    fn default() -> Self {
        LogParams { days: Scale::Small.sizes().2, list_length: 20, feed_popularity_exponent: 0.8, term_depth: 300 }
    }
}

/// Where a scenario came from, for error messages.
const PRESET: &str = "<preset>";

impl Scenario {
    /// The built-in scenario of a scale, with every default.
    pub fn preset(scale: Scale) -> Scenario {
        let mut scenario = Scenario { scale, ..Scenario::default() };
        scenario.apply_scale(&toml::Table::new());
        scenario
    }

    /// Reads and validates a scenario file.
    pub fn from_file(path: &Path) -> Result<Scenario> {
        Scenario::load(Some(path), None)
    }

    /// The scenario of a file (or the defaults without one), with `scale`,
    /// when given, in place of the file's own.
    pub fn load(path: Option<&Path>, scale: Option<Scale>) -> Result<Scenario> {
        match path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| DatasetError::io(path, e))?;
                Scenario::from_toml_at_scale(&text, path, scale)
            }
            None => Ok(Scenario::preset(scale.unwrap_or_default())),
        }
    }

    /// Parses and validates scenario text; `file` names it in errors.
    pub fn from_toml(text: &str, file: &Path) -> Result<Scenario> {
        Scenario::from_toml_at_scale(text, file, None)
    }

    /// Like [`Scenario::from_toml`], with `scale` (when given) in place of the file's own.
    pub fn from_toml_at_scale(text: &str, file: &Path, scale: Option<Scale>) -> Result<Scenario> {
        let syntax = |e: toml::de::Error| DatasetError::ScenarioSyntax {
            file: file.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        };
        let raw: toml::Table = toml::from_str(text).map_err(syntax)?;
        let mut scenario: Scenario = from_toml_at(text, file)?;
        if let Some(scale) = scale {
            scenario.scale = scale;
        }
        scenario.apply_scale(&raw);
        scenario.validate_as(file)?;
        Ok(scenario)
    }

    /// The scenario as TOML, every field written out.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a scenario always serialises")
    }

    /// Sets the scale-dependent sizes the file did not set itself.
    fn apply_scale(&mut self, raw: &toml::Table) {
        let (items, users, days, queries, max_per_grade) = self.scale.sizes();
        let set =
            |section: &str, key: &str| raw.get(section).and_then(|s| s.as_table()).is_some_and(|t| t.contains_key(key));
        if !set("world", "items") {
            self.world.items = items;
        }
        if !set("world", "users") {
            self.world.users = users;
        }
        if !set("logs", "days") {
            self.logs.days = days;
        }
        if !set("queries", "count") {
            self.queries.count = queries;
        }
        if !set("judgements", "max_per_grade") {
            self.judgements.max_per_grade = max_per_grade;
        }
    }

    /// Checks every range and the size estimates; the error names the field
    /// (or the fields an estimate multiplies), the bound and, for sizes, why.
    pub fn validate(&self) -> Result<()> {
        self.validate_as(Path::new(PRESET))
    }

    fn validate_as(&self, file: &Path) -> Result<()> {
        let mut checks = Checks { file, error: None };
        let w = &self.world;
        checks.size("world.items", w.items.into(), 1, MAX_ENTITIES, ENTITIES_WHY);
        checks.size("world.users", w.users.into(), 1, MAX_ENTITIES, ENTITIES_WHY);
        checks.size(
            "world.latent_dim",
            w.latent_dim.into(),
            2,
            1024,
            "a latent space wider than 1 024 dimensions is a typo",
        );
        checks.range("world.leaf_zipf", w.leaf_zipf, 0.0, 5.0);
        checks.size("world.regions", w.regions.into(), 1, 255, "region codes are one byte");
        let i = &self.items;
        checks.open_range("items.quality_alpha", i.quality_alpha, 0.0, MAX_CONCENTRATION);
        checks.open_range("items.quality_beta", i.quality_beta, 0.0, MAX_CONCENTRATION);
        checks.range("items.rating_noise", i.rating_noise, 0.0, 10.0);
        checks.range("items.sales_log_mean", i.sales_log_mean, -5.0, 15.0);
        checks.range("items.sales_log_sigma", i.sales_log_sigma, 0.0, 5.0);
        checks.range("items.sales_quality_lift", i.sales_quality_lift, -10.0, 10.0);
        checks.probability("items.review_rate", i.review_rate);
        checks.range("items.price_quality_lift", i.price_quality_lift, -3.0, 3.0);
        checks.probability("items.title_synonym_rate", i.title_synonym_rate);
        checks.range("items.attribute_weight", i.attribute_weight, 0.0, MAX_LATENT_WEIGHT);
        checks.range("items.latent_noise", i.latent_noise, 0.0, MAX_LATENT_WEIGHT);
        let u = &self.users;
        checks.size(
            "users.max_interest_leaves",
            u.max_interest_leaves.into(),
            1,
            16,
            "a user's interests span a few leaves",
        );
        checks.open_range("users.interest_concentration", u.interest_concentration, 0.0, MAX_CONCENTRATION);
        checks.range("users.taste_weight", u.taste_weight, 0.0, MAX_LATENT_WEIGHT);
        checks.range("users.latent_noise", u.latent_noise, 0.0, MAX_LATENT_WEIGHT);
        checks.open_range("users.price_sensitivity_median", u.price_sensitivity_median, 0.0, 100.0);
        checks.range("users.price_sensitivity_sigma", u.price_sensitivity_sigma, 0.0, 5.0);
        checks.open_range("users.activity_mean", u.activity_mean, 0.0, MAX_DAILY_RATE);
        for (k, c) in ["shelf", "interest", "social"].iter().zip(u.persona_concentration) {
            checks.open_range(&format!("users.persona_concentration.{k}"), c, 0.0, MAX_CONCENTRATION);
        }
        let n = &self.needs;
        checks.range("needs.organic_rate", n.organic_rate, 0.0, MAX_DAILY_RATE);
        checks.range("needs.leaf_temperature", n.leaf_temperature, 0.0, 100.0);
        checks.probability("needs.want_attribute", n.want_attribute);
        checks.probability("needs.want_brand", n.want_brand);
        checks.probability("needs.seeded_brand", n.seeded_brand);
        checks.open_range("needs.patience_days", n.patience_days, 0.0, 3650.0);
        checks.probability("needs.seeded_defer", n.seeded_defer);
        checks.open_range("needs.seeded_delay_days", n.seeded_delay_days, 0.0, 365.0);
        let q = &self.queries;
        checks.size("queries.count", q.count.into(), 1, MAX_QUERIES, QUERIES_WHY);
        checks.probability("queries.drop_attribute", q.drop_attribute);
        checks.probability("queries.synonym", q.synonym);
        checks.probability("queries.typo", q.typo);
        checks.probability("queries.brand_only", q.brand_only);
        checks.probability("queries.vague", q.vague);
        checks.probability("queries.seeded_vague", q.seeded_vague);
        checks.probability("queries.seeded_brand_only", q.seeded_brand_only);
        checks.range(
            "queries.seeded_vague + queries.seeded_brand_only",
            q.seeded_vague + q.seeded_brand_only,
            0.0,
            1.0,
        );
        let g = &self.judgements.gains;
        checks.range("judgements.gains.exact", g.exact, 0.0, MAX_GAIN);
        checks.range("judgements.gains.substitute", g.substitute, 0.0, MAX_GAIN);
        checks.range("judgements.gains.complement", g.complement, 0.0, MAX_GAIN);
        checks.range("judgements.gains.irrelevant", g.irrelevant, 0.0, MAX_GAIN);
        checks.size(
            "judgements.max_per_grade",
            self.judgements.max_per_grade.into(),
            1,
            MAX_PER_GRADE,
            "a cap above the biggest leaf's item count judges nothing more",
        );
        let b = &self.behaviour;
        checks.range("behaviour.examination_eta", b.examination_eta, 0.0, 10.0);
        for (name, v) in [
            ("click_match", b.click_match),
            ("click_affinity", b.click_affinity),
            ("click_trust", b.click_trust),
            ("click_offset", b.click_offset),
            ("buy_match", b.buy_match),
            ("buy_affinity", b.buy_affinity),
            ("buy_trust", b.buy_trust),
            ("no_purchase_utility", b.no_purchase_utility),
            ("seed_slope", b.seed_slope),
            ("seed_offset", b.seed_offset),
        ] {
            checks.range(&format!("behaviour.{name}"), v, -100.0, 100.0);
        }
        checks.probability("behaviour.cart_abandon", b.cart_abandon);
        checks.range("behaviour.trust_sales_reference", b.trust_sales_reference, 1.0, 1e12);
        checks.range("behaviour.within_leaf_taste", b.within_leaf_taste, 0.0, 10.0);
        checks.range("behaviour.budget_mean", b.budget_mean, 0.0, 1e9);
        checks.range("behaviour.budget_spread", b.budget_spread, 0.0, 3.0);
        let l = &self.logs;
        checks.size("logs.days", l.days.into(), 1, 3650, "ten years of logs; event times are seconds in a u32");
        checks.size(
            "logs.list_length",
            l.list_length.into(),
            1,
            1000,
            "positions are logged as u16 and nobody scrolls further",
        );
        checks.range("logs.feed_popularity_exponent", l.feed_popularity_exponent, 0.0, 4.0);
        checks.size(
            "logs.term_depth",
            l.term_depth.into(),
            1,
            MAX_TERM_DEPTH,
            "the logging policy scores this many items per query term on every logged search",
        );
        // Sizes that are each in range can still multiply past the machine:
        // estimated after the per-field checks, so a single absurd field is
        // named as itself.
        let vectors = (u64::from(w.items) + u64::from(w.users)) * u64::from(w.latent_dim) * 4;
        checks.estimate(
            "world.items + world.users, × world.latent_dim",
            vectors as f64,
            MAX_VECTOR_BYTES as f64,
            "bytes of latent vectors (f32); the world is held in memory while it is generated",
        );
        let sessions = f64::from(w.users) * f64::from(l.days) * u.activity_mean;
        checks.estimate(
            "world.users × logs.days × users.activity_mean",
            sessions,
            MAX_LOGGED_SESSIONS,
            "expected logged sessions; every search session's query gets a u32 id and each session takes time",
        );
        let judged = f64::from(q.count) * f64::from(self.judgements.max_per_grade) * 2.0;
        checks.estimate(
            "queries.count × judgements.max_per_grade × 2",
            judged,
            MAX_SAMPLED_JUDGEMENTS,
            "sampled Substitute and Complement judgements at most, held in memory and written as qrels",
        );
        match checks.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

// The bounds. Every field has a finite upper bound checked at load, so a
// typo (an extra digit, `inf`, `nan`, u32::MAX) is refused with the field's
// name in milliseconds instead of aborting on an allocation or running for
// days. Integer sizes are bounded by what the world's types and this machine
// class (2 cores, 24 GiB) can hold, with room above the largest preset
// (`large`: 10 M items and users); model weights by the range where they
// still mean something (past it the model saturates: a probability of 1, a
// point-mass Beta).

/// Most items, and most users: 5× the `large` preset. Ids are u32 (so 4.29 G
/// is the type's limit), but items and users are generated and held in
/// memory with a latent vector each, and 50 M of each at the default 32
/// dimensions is already 12.8 GB of vectors.
pub const MAX_ENTITIES: u64 = 50_000_000;
const ENTITIES_WHY: &str = "5× the large preset; every entity is held in memory with its latent vector";
/// Most evaluation queries: 500× the presets' 2 000. Each query is judged
/// against its leaf's whole catalogue and every engine answers each one.
pub const MAX_QUERIES: u64 = 1_000_000;
const QUERIES_WHY: &str = "500× the presets; every query is judged and every engine answers it";
/// Largest Substitute/Complement cap per query: 50× the small preset's 2 000.
pub const MAX_PER_GRADE: u64 = 100_000;
/// Largest `logs.term_depth`: 300 by default; the policy scores this many
/// items for every term of every logged search.
pub const MAX_TERM_DEPTH: u64 = 100_000;
/// Largest latent-vector memory: 16 GiB, two thirds of the 24 GiB machine
/// class (the `large` preset needs 2.6 GB).
pub const MAX_VECTOR_BYTES: u64 = 16 << 30;
/// Most expected logged sessions: 1 G, 27× the `large` preset's 37.5 M; a
/// search session's query id is a u32, and at the generator's speed a
/// billion sessions is already hours of work.
pub const MAX_LOGGED_SESSIONS: f64 = 1e9;
/// Most sampled judgements (queries × 2 × cap): 2×10⁸, 100× the small
/// preset's worst case; each is a qrels row in memory and on disk.
pub const MAX_SAMPLED_JUDGEMENTS: f64 = 2e8;
/// Largest Beta/Dirichlet concentration: past 1 000 the draw is its mean to
/// three digits, so a larger value only says the same thing.
const MAX_CONCENTRATION: f64 = 1_000.0;
/// Largest weight or noise norm of a latent vector part: the parts are
/// compared with unit-norm directions, and at 10× the unit the other parts
/// no longer count.
const MAX_LATENT_WEIGHT: f64 = 10.0;
/// Largest per-user daily rate (sessions, organic needs): 100 a day is
/// beyond any shopper, and the log's cost grows with it.
const MAX_DAILY_RATE: f64 = 100.0;
/// Largest grade gain: nDCG is scale-free, so only the ratios matter.
const MAX_GAIN: f64 = 1e6;

/// Deserialises TOML text, naming the dotted path of a value that does not
/// fit its field (`world.items`) beside the parser's line and column, which
/// alone show only the key's last part.
fn from_toml_at<T: serde::de::DeserializeOwned>(text: &str, file: &Path) -> Result<T> {
    let error = |message: String, field: String| match field.as_str() {
        "" | "." => DatasetError::ScenarioSyntax { file: file.to_path_buf(), message },
        _ => DatasetError::ScenarioField { file: file.to_path_buf(), field, message },
    };
    let deserializer =
        toml::Deserializer::parse(text).map_err(|e| error(e.to_string().trim_end().to_string(), String::new()))?;
    serde_path_to_error::deserialize(deserializer)
        .map_err(|e| error(e.inner().to_string().trim_end().to_string(), e.path().to_string()))
}

/// Collects the first range violation.
struct Checks<'a> {
    file: &'a Path,
    error: Option<DatasetError>,
}

impl Checks<'_> {
    fn fail(&mut self, field: &str, message: String) {
        if self.error.is_none() {
            self.error =
                Some(DatasetError::ScenarioField { file: PathBuf::from(self.file), field: field.to_string(), message });
        }
    }

    /// `lo ≤ value ≤ hi`; NaN and infinities are out of every range.
    fn range(&mut self, field: &str, value: f64, lo: f64, hi: f64) {
        if !(lo..=hi).contains(&value) {
            self.fail(field, format!("{value} is out of range; allowed: {lo} to {hi}"));
        }
    }

    /// `lo < value ≤ hi`.
    fn open_range(&mut self, field: &str, value: f64, lo: f64, hi: f64) {
        if !(value > lo && value <= hi) {
            self.fail(field, format!("{value} is out of range; allowed: above {lo}, at most {hi}"));
        }
    }

    fn probability(&mut self, field: &str, value: f64) {
        self.range(field, value, 0.0, 1.0);
    }

    /// An integer size, with the reason for its upper bound.
    fn size(&mut self, field: &str, value: u64, lo: u64, hi: u64, why: &str) {
        if !(lo..=hi).contains(&value) {
            self.fail(field, format!("{value} is out of range; allowed: {lo} to {hi} ({why})"));
        }
    }

    /// A cost estimate from several fields, refused up front when it cannot fit.
    fn estimate(&mut self, fields: &str, value: f64, max: f64, what: &str) {
        // NaN (an overflowed product) is refused too.
        if value.is_nan() || value > max {
            self.fail(fields, format!("about {value:.3e} {what}; at most {max:.1e}: lower one of these sizes"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Scenario> {
        Scenario::from_toml(text, Path::new("s.toml"))
    }

    #[test]
    fn empty_file_is_the_small_preset() {
        assert_eq!(parse("").unwrap(), Scenario::preset(Scale::Small));
    }

    #[test]
    fn scale_sets_sizes_the_file_leaves_unset() {
        let s = parse("scale = \"tiny\"\n[world]\nusers = 77\n").unwrap();
        assert_eq!(s.world.items, Scenario::preset(Scale::Tiny).world.items);
        assert_eq!(s.world.users, 77);
    }

    #[test]
    fn unknown_field_is_named_with_its_line() {
        let err = parse("[queries]\ntypos = 0.1\n").unwrap_err().to_string();
        assert!(err.starts_with("s.toml") && err.contains("typos") && err.contains("line 2"), "{err}");
    }

    #[test]
    fn rate_outside_unit_interval_names_the_field() {
        let err = parse("[queries]\ntypo = 1.5\n").unwrap_err().to_string();
        assert!(err.contains("`queries.typo`") && err.contains("0 to 1"), "{err}");
    }

    #[test]
    fn seeded_query_forms_share_one_draw() {
        let err = parse("[queries]\nseeded_vague = 0.6\nseeded_brand_only = 0.5\n").unwrap_err().to_string();
        assert!(err.contains("seeded_vague + queries.seeded_brand_only") && err.contains("0 to 1"), "{err}");
        assert!(parse("[needs]\nseeded_delay_days = 0\n").is_err());
        assert!(parse("[behaviour]\nbudget_mean = -1\n").is_err());
        assert!(parse("[behaviour]\nwithin_leaf_taste = 11\n").is_err());
        assert!(parse("[behaviour]\nbudget_mean = 0\n[needs]\nseeded_defer = 1\n").is_ok());
    }

    #[test]
    fn negative_size_is_rejected() {
        let err = parse("[world]\nitems = -5\n").unwrap_err().to_string();
        assert!(err.contains("s.toml") && err.contains("items"), "{err}");
        let err = parse("[world]\nitems = 0\n").unwrap_err().to_string();
        assert!(err.contains("`world.items`"), "{err}");
    }

    /// Every numeric leaf of a scenario table, as (dotted path, index in an
    /// array when it is one, is it an integer).
    fn numeric_leaves(table: &toml::Table, prefix: &str, out: &mut Vec<(String, Option<usize>, bool)>) {
        for (key, value) in table {
            let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
            match value {
                toml::Value::Integer(_) => out.push((path, None, true)),
                toml::Value::Float(_) => out.push((path, None, false)),
                toml::Value::Table(t) => numeric_leaves(t, &path, out),
                toml::Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        match item {
                            toml::Value::Integer(_) => out.push((path.clone(), Some(i), true)),
                            toml::Value::Float(_) => out.push((path.clone(), Some(i), false)),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn with_value(base: &toml::Table, path: &str, index: Option<usize>, value: toml::Value) -> String {
        let mut table = base.clone();
        let mut parts: Vec<&str> = path.split('.').collect();
        let last = parts.pop().unwrap();
        let mut here = &mut table;
        for part in parts {
            here = here.get_mut(part).and_then(toml::Value::as_table_mut).unwrap();
        }
        match index {
            None => {
                here.insert(last.to_string(), value);
            }
            Some(i) => here.get_mut(last).and_then(toml::Value::as_array_mut).unwrap()[i] = value,
        }
        toml::to_string(&table).unwrap()
    }

    /// The class test: whatever numeric field a file sets to an absurd value
    /// (a size of u32::MAX or i64::MAX, a weight of ±1e300, ±inf or NaN) is
    /// refused at load, before any allocation, by a message that names the
    /// file and the field. A field added later is walked too.
    #[test]
    fn every_numeric_field_refuses_absurd_values_naming_the_field() {
        let base: toml::Table = toml::from_str(&Scenario::preset(Scale::Small).to_toml()).unwrap();
        let mut leaves = Vec::new();
        numeric_leaves(&base, "", &mut leaves);
        assert!(leaves.len() > 60, "the walk found only {} numeric fields", leaves.len());
        for (path, index, integer) in leaves {
            let absurd: Vec<toml::Value> = if integer {
                vec![toml::Value::Integer(u32::MAX.into()), toml::Value::Integer(i64::MAX), toml::Value::Integer(-1)]
            } else {
                [1e300, -1e300, f64::INFINITY, f64::NEG_INFINITY, f64::NAN].map(toml::Value::Float).to_vec()
            };
            let key = path.rsplit('.').next().unwrap();
            for value in absurd {
                let text = with_value(&base, &path, index, value.clone());
                let err = match parse(&text) {
                    Ok(_) => panic!("`{path}` = {value} was accepted"),
                    Err(e) => e,
                };
                let message = err.to_string();
                let named = match err {
                    DatasetError::ScenarioField { field, .. } => field.contains(&path),
                    // A value the field's type cannot hold is a TOML error that quotes the line.
                    DatasetError::ScenarioSyntax { .. } => message.contains(key),
                    _ => false,
                };
                assert!(message.starts_with("s.toml") && named, "`{path}` = {value}: {message}");
            }
        }
    }

    #[test]
    fn bounds_give_the_reason_and_estimates_name_their_fields() {
        let err = parse("[world]\nitems = 4294967295\n").unwrap_err().to_string();
        assert!(err.contains("`world.items`") && err.contains("50000000") && err.contains("large preset"), "{err}");
        let err = parse("[queries]\ncount = 4000000000\n").unwrap_err().to_string();
        assert!(err.contains("`queries.count`") && err.contains("1000000"), "{err}");
        let err = parse("[world]\nusers = 50000000\n[logs]\ndays = 3650\n").unwrap_err().to_string();
        assert!(err.contains("world.users × logs.days"), "{err}");
        let err = parse("[world]\nitems = 50000000\nusers = 50000000\nlatent_dim = 64\n").unwrap_err().to_string();
        assert!(err.contains("world.latent_dim") && err.contains("bytes"), "{err}");
        for scale in [Scale::Tiny, Scale::Small, Scale::Medium, Scale::Large] {
            Scenario::preset(scale).validate().unwrap();
        }
    }

    #[test]
    fn round_trips_through_toml() {
        let s = Scenario::preset(Scale::Medium);
        assert_eq!(parse(&s.to_toml()).unwrap(), s);
    }
}
