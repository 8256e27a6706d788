/** The X endpoints the bots call, named as the sandbox counts them; also the keys of rate-limit pauses. */
export const ENDPOINT = {
  me: 'GET /2/users/me',
  timeline: 'GET /2/users/:id/timelines/reverse_chronological',
  userTweets: 'GET /2/users/:id/tweets',
  post: 'POST /2/tweets',
} as const;
