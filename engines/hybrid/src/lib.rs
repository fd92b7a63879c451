//! Hybrid blends of shelf search and interest recall: RRF, normalised linear fusion, personalised rerank, query-aware feed
