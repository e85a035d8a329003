import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseDurationSeconds } from '../../core/duration.js';
import { KanonError } from '../../core/errors.js';
import { unsupportedLanguage } from '../errors.js';
import { isLanguage, LANGUAGES, type Language, negotiateLanguage } from '../notice/language.js';
import { NOTICE_CSP, renderNotice, renderSnippet } from '../notice/render.js';
import type { NoticeFacts } from '../notice/texts.js';

const Duration = z.string().transform((text, ctx) => {
  const seconds = parseDurationSeconds(text);
  if (seconds === undefined) ctx.addIssue({ code: 'custom', message: 'not a duration' });
  return seconds ?? 0;
});

/** The facts of /privacy.json that the notice states (core/privacy-facts.ts makes them). */
const NoticeFactsSchema = z
  .object({
    k: z.number().int(),
    min_networks: z.number().int(),
    staging_ttl: Duration,
    published_retention: Duration,
    opt_out: z.object({ dnt: z.string() }),
    noise: z.object({ epsilon_per_visitor_day: z.number().nullable() }).optional(),
  })
  .transform(
    (facts): NoticeFacts => ({
      k: facts.k,
      minNetworks: facts.min_networks,
      stagingTtlSeconds: facts.staging_ttl,
      retentionSeconds: facts.published_retention,
      dnt: facts.opt_out.dnt === 'not recorded',
      noiseEpsilon: facts.noise?.epsilon_per_visitor_day ?? null,
    }),
  );

/** The notice says what /privacy.json says: it reads the same facts, from the running configuration. */
export function noticeFacts(privacyFacts: (() => unknown) | undefined): NoticeFacts {
  const parsed = NoticeFactsSchema.safeParse(privacyFacts?.());
  if (!parsed.success)
    throw new KanonError(
      'privacy_facts_unavailable',
      503,
      'This collector was started without its privacy facts.',
    );
  return parsed.data;
}

/** `?lang=` when given (and then one of the notice's languages), else the browser's Accept-Language. */
function languageOf(request: FastifyRequest): Language {
  const asked = (request.query as Record<string, unknown> | undefined)?.lang;
  if (asked === undefined) return negotiateLanguage(request.headers['accept-language']);
  if (!isLanguage(asked)) throw unsupportedLanguage(LANGUAGES);
  return asked;
}

function sendIn(reply: FastifyReply, language: Language, type: string, body: string) {
  reply.header('Content-Language', language);
  reply.header('Vary', 'Accept-Language');
  reply.header('Cache-Control', 'public, max-age=300');
  return reply.type(type).send(body);
}

/**
 * The notice shoppers read (GET /privacy, an HTML page) and the section a shop pastes into its
 * own privacy policy (GET /privacy/snippet, served as text to copy), in English, German or
 * French, generated from the same running configuration as /privacy.json (docs/privacy-notice.md).
 */
export function registerPrivacyNoticeRoutes(
  app: FastifyInstance,
  deps: { privacyFacts: (() => unknown) | undefined },
): void {
  const facts = () => noticeFacts(deps.privacyFacts);
  app.get('/privacy', async (request, reply) => {
    const language = languageOf(request);
    reply.header('Content-Security-Policy', NOTICE_CSP);
    return sendIn(reply, language, 'text/html; charset=utf-8', renderNotice(facts(), language));
  });
  app.get('/privacy/snippet', async (request, reply) => {
    const language = languageOf(request);
    const noticeUrl = `${request.protocol}://${request.host}/privacy?lang=${language}`;
    return sendIn(reply, language, 'text/plain; charset=utf-8', renderSnippet(facts(), language, noticeUrl));
  });
}
