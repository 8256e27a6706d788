import type { TwitterApi } from 'twitter-api-v2';
import { F, type Bot } from '../store/bot-record.js';

/**
 * The X user id behind a bot's tokens. An OAuth 1.0a access token starts with the user's id
 * ("12345-abc…"), so no call is needed; otherwise one GET /2/users/me, remembered on the bot.
 */
export async function accountId(bot: Bot, client: TwitterApi, learned: Record<string, string>): Promise<string> {
  if (bot.userId) return bot.userId;
  const fromToken = idFromToken(bot.token);
  if (fromToken) {
    learned[F.userId] = fromToken;
    return fromToken;
  }
  const me = await client.v2.me();
  learned[F.userId] = me.data.id;
  learned[F.username] = me.data.username;
  return me.data.id;
}

export function idFromToken(token: string | undefined): string | undefined {
  return token?.match(/^(\d{1,19})-/)?.[1];
}
