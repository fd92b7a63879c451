//! The product taxonomy: categories, nouns, attributes, brands and prices.
//!
//! It is an embedded, human-readable resource (`resources/taxonomy.toml`):
//! extend the world's vocabulary by editing that file. Every leaf is one
//! product type, so "same leaf" means "the same kind of thing".

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::{DatasetError, LeafId, Result};

const RESOURCE: &str = include_str!("../resources/taxonomy.toml");

/// An attribute dimension. The order fixes the slot in [`Attributes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    /// Colour.
    Colour = 0,
    /// Material.
    Material = 1,
    /// Style.
    Style = 2,
    /// Size.
    Size = 3,
}

impl Dimension {
    /// All dimensions in slot order.
    pub const ALL: [Dimension; 4] = [Dimension::Colour, Dimension::Material, Dimension::Style, Dimension::Size];

    /// Lower-case name as used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Colour => "colour",
            Dimension::Material => "material",
            Dimension::Style => "style",
            Dimension::Size => "size",
        }
    }

    fn parse(name: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == name)
    }
}

/// One value of an attribute, as listed in titles, and what shoppers also call it.
#[derive(Clone, Debug, PartialEq)]
pub struct AttributeValue {
    /// The canonical spelling, used in titles.
    pub canonical: String,
    /// Other spellings a shopper may type.
    pub synonyms: Vec<String>,
    /// Index of this value in [`Taxonomy::values`], shared across leaves, so
    /// "red" is the same latent direction in every leaf.
    pub global: u32,
}

/// One top-level category.
#[derive(Clone, Debug, PartialEq)]
pub struct Top {
    /// Name, e.g. `"Home & Kitchen"`.
    pub name: String,
    /// Vague phrases shoppers type for this category.
    pub vague: Vec<String>,
}

/// One leaf: a product type.
#[derive(Clone, Debug, PartialEq)]
pub struct Leaf {
    /// Dense id.
    pub id: LeafId,
    /// Name, e.g. `"Frying Pans"`.
    pub name: String,
    /// Index of the top-level category in [`Taxonomy::tops`].
    pub top: usize,
    /// `"Top > Group > Leaf"`.
    pub path: String,
    /// The product noun; the first is canonical, the rest synonyms.
    pub nouns: Vec<String>,
    /// Brands selling this product type.
    pub brands: Vec<String>,
    /// Median price.
    pub price_median: f64,
    /// Standard deviation of ln(price).
    pub price_spread: f64,
    /// Leaves bought together with this one.
    pub complements: Vec<LeafId>,
    /// Feature words used in titles.
    pub fillers: Vec<String>,
    /// Values of each dimension; empty when the dimension does not apply.
    pub attributes: [Vec<AttributeValue>; 4],
}

impl Leaf {
    /// The values of one dimension (empty if it does not apply to this leaf).
    pub fn values(&self, dimension: Dimension) -> &[AttributeValue] {
        &self.attributes[dimension as usize]
    }
}

/// The whole taxonomy.
#[derive(Clone, Debug, PartialEq)]
pub struct Taxonomy {
    /// Top-level categories.
    pub tops: Vec<Top>,
    /// Leaves, indexed by [`LeafId`].
    pub leaves: Vec<Leaf>,
    /// Every distinct (dimension, canonical value), indexed by [`AttributeValue::global`].
    pub values: Vec<(Dimension, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTaxonomy {
    synonyms: BTreeMap<String, Vec<Vec<String>>>,
    top: Vec<RawTop>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTop {
    name: String,
    vague: Vec<String>,
    brands: Vec<String>,
    leaf: Vec<RawLeaf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLeaf {
    name: String,
    group: String,
    nouns: Vec<String>,
    #[serde(default)]
    brands: Vec<String>,
    price_median: f64,
    price_spread: f64,
    complements: Vec<String>,
    fillers: Vec<String>,
    attributes: BTreeMap<String, Vec<String>>,
}

impl Taxonomy {
    /// The embedded taxonomy.
    pub fn embedded() -> Result<Taxonomy> {
        Taxonomy::parse(RESOURCE)
    }

    /// Parses and checks a taxonomy in the resource format.
    pub fn parse(text: &str) -> Result<Taxonomy> {
        let bad = |m: String| DatasetError::Taxonomy(m);
        let raw: RawTaxonomy = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let mut synonyms: HashMap<(Dimension, &str), &[String]> = HashMap::new();
        for (dim, groups) in &raw.synonyms {
            let dim = Dimension::parse(dim).ok_or_else(|| bad(format!("unknown synonym dimension `{dim}`")))?;
            for group in groups {
                let (first, rest) = group.split_first().ok_or_else(|| bad("empty synonym group".into()))?;
                synonyms.insert((dim, first.as_str()), rest);
            }
        }
        let leaf_ids: HashMap<&str, LeafId> = raw
            .top
            .iter()
            .flat_map(|t| &t.leaf)
            .enumerate()
            .map(|(i, l)| (l.name.as_str(), LeafId(i as u16)))
            .collect();
        let mut values: Vec<(Dimension, String)> = Vec::new();
        let mut value_ids: HashMap<(Dimension, String), u32> = HashMap::new();
        let mut tops = Vec::new();
        let mut leaves = Vec::new();
        for (t, top) in raw.top.iter().enumerate() {
            tops.push(Top { name: top.name.clone(), vague: top.vague.clone() });
            if top.vague.is_empty() || top.brands.is_empty() {
                return Err(bad(format!("top `{}` needs vague phrases and brands", top.name)));
            }
            for leaf in &top.leaf {
                let id = leaf_ids[leaf.name.as_str()];
                let where_ = format!("leaf `{}`", leaf.name);
                if leaf.nouns.is_empty() {
                    return Err(bad(format!("{where_} has no noun")));
                }
                if !(leaf.price_median > 0.0 && leaf.price_spread >= 0.0) {
                    return Err(bad(format!("{where_} has a non-positive price")));
                }
                let complements = leaf
                    .complements
                    .iter()
                    .map(|c| match leaf_ids.get(c.as_str()) {
                        Some(&cid) if cid != id => Ok(cid),
                        _ => Err(bad(format!("{where_}: complement `{c}` is not another leaf"))),
                    })
                    .collect::<Result<Vec<_>>>()?;
                let mut attributes: [Vec<AttributeValue>; 4] = Default::default();
                for (dim, list) in &leaf.attributes {
                    let d = Dimension::parse(dim).ok_or_else(|| bad(format!("{where_}: unknown dimension `{dim}`")))?;
                    attributes[d as usize] = list
                        .iter()
                        .map(|v| {
                            let next = values.len() as u32;
                            let global = *value_ids.entry((d, v.clone())).or_insert_with(|| {
                                values.push((d, v.clone()));
                                next
                            });
                            AttributeValue {
                                canonical: v.clone(),
                                synonyms: synonyms.get(&(d, v.as_str())).map(|s| s.to_vec()).unwrap_or_default(),
                                global,
                            }
                        })
                        .collect();
                }
                let mut brands = top.brands.clone();
                brands.extend(leaf.brands.iter().cloned());
                leaves.push(Leaf {
                    id,
                    name: leaf.name.clone(),
                    top: t,
                    path: format!("{} > {} > {}", top.name, leaf.group, leaf.name),
                    nouns: leaf.nouns.clone(),
                    brands,
                    price_median: leaf.price_median,
                    price_spread: leaf.price_spread,
                    complements,
                    fillers: leaf.fillers.clone(),
                    attributes,
                });
            }
        }
        if leaves.is_empty() || leaves.len() > u16::MAX as usize {
            return Err(bad(format!("{} leaves; need 1 to {}", leaves.len(), u16::MAX)));
        }
        if leaves.iter().any(|l| l.brands.len() > u16::MAX as usize || l.nouns.len() > 255) {
            return Err(bad("too many brands or nouns in a leaf".into()));
        }
        Ok(Taxonomy { tops, leaves, values })
    }

    /// The leaf with this id.
    pub fn leaf(&self, id: LeafId) -> &Leaf {
        &self.leaves[id.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_taxonomy_is_rich_and_consistent() {
        let t = Taxonomy::embedded().unwrap();
        assert!(t.tops.len() >= 10, "{} tops", t.tops.len());
        assert!(t.leaves.len() >= 100, "{} leaves", t.leaves.len());
        let with_synonyms = t.leaves.iter().filter(|l| l.nouns.len() > 1).count();
        assert!(with_synonyms * 2 > t.leaves.len(), "only {with_synonyms} leaves have noun synonyms");
        for leaf in &t.leaves {
            assert!(!leaf.complements.contains(&leaf.id), "{}", leaf.name);
            assert!(leaf.attributes.iter().any(|a| !a.is_empty()), "{} has no attributes", leaf.name);
        }
    }

    #[test]
    fn errors_name_the_broken_leaf() {
        let text = r#"
            [synonyms]
            [[top]]
            name = "T"
            vague = ["stuff"]
            brands = ["B"]
            [[top.leaf]]
            name = "Cups"
            group = "G"
            nouns = ["cup"]
            price_median = 5.0
            price_spread = 0.3
            complements = ["Saucers"]
            fillers = []
            [top.leaf.attributes]
            colour = ["red"]
        "#;
        let err = Taxonomy::parse(text).unwrap_err().to_string();
        assert!(err.contains("leaf `Cups`") && err.contains("Saucers"), "{err}");
    }
}
