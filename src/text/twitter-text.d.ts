/** Type declarations for the parts of `twitter-text` 3.1 that src/text uses. */
declare module 'twitter-text' {
  export interface WeightRange {
    start: number;
    end: number;
    weight: number;
  }
  export interface ParseConfig {
    version: number;
    maxWeightedTweetLength: number;
    scale: number;
    defaultWeight: number;
    emojiParsingEnabled: boolean;
    transformedURLLength: number;
    ranges: WeightRange[];
  }
  export interface ParsedTweet {
    weightedLength: number;
    valid: boolean;
    permillage: number;
  }
  const twitterText: {
    parseTweet(text: string, config?: ParseConfig): ParsedTweet;
    configs: { defaults: ParseConfig; version3: ParseConfig };
    /** The hashtags X would link in a text, without their #. */
    extractHashtags(text: string): string[];
  };
  export default twitterText;
}
