/**
 * X's published length limits, per access tier, in characters (UTF-16 code units, as `query.length`).
 *
 * Sources (X's own documentation, docs.x.com / github.com/xdevplatform/docs):
 * - x-api/posts/search/integrate/build-a-query.mdx (Dec 2024): "If you have Basic or Pro access, your
 *   query can be 512 characters long for recent search endpoint. If you have Pro access, your query can
 *   be 1,024 characters long for full archive search endpoint." The current page: self-serve 512
 *   (recent) / 1,024 (full archive), Enterprise 4,096 for both. Counts (x-api/posts/counts/integrate/
 *   build-a-query.mdx) states the same 512 / 4,096.
 * - x-api/posts/filtered-stream/introduction.mdx (Dec 2024): Pro "can build rules up to 1024 characters
 *   in length", Enterprise "up to 2048". The self-serve tiers before Basic (Essential, Elevated) had
 *   rules "up to 512 characters"; Basic and Free keep that figure here, as X publishes none for them.
 * X's Free tier has no search or stream access at all; its figures here are what the sandbox applies if
 * it lets Free search, so a Free query is never allowed more than a paying tier's.
 */
export type XTier = 'free' | 'basic' | 'pro' | 'enterprise';

/** `GET /2/tweets/search/recent` and `GET /2/tweets/counts/recent`. */
export const QUERY_MAX_LENGTH: Record<XTier, number> = { free: 512, basic: 512, pro: 512, enterprise: 4096 };

/** `GET /2/tweets/search/all` and `/2/tweets/counts/all` (Pro and Enterprise only; null: no access). */
export const FULL_ARCHIVE_QUERY_MAX_LENGTH: Record<XTier, number | null> = { free: null, basic: null, pro: 1024, enterprise: 4096 };

/** One filtered-stream rule's `value`. */
export const RULE_MAX_LENGTH: Record<XTier, number> = { free: 512, basic: 512, pro: 1024, enterprise: 2048 };

/** The default of parseQuery: the self-serve recent-search limit. */
export const DEFAULT_MAX_LENGTH = 512;

/** X's size limit on bounding_box: sides and point_radius: radii: "must be less than 25mi". */
export const GEO_MAX_MILES = 25;
