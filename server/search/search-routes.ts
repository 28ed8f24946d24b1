import { Router } from 'express';
import { searchQuery, type SearchResponse } from '../../common/api.js';
import { currentUser } from '../auth/current-user.js';
import type { ServerContext } from '../context.js';
import { parseInput } from '../http/errors.js';
import { MessageSearch } from './message-search.js';

/** `GET /api/search?q=`: the signed-in person's messages that contain every word typed, newest first. */
export function createSearchRoutes(ctx: ServerContext): Router {
  const router = Router();
  const search = new MessageSearch(ctx.db);
  router.get('/search', (req, res) => {
    const { q, limit } = parseInput(searchQuery, req.query, 'search');
    const body: SearchResponse = { results: search.search(currentUser(res).id, q, limit) };
    res.json(body);
  });
  return router;
}
