/**
 * The LLM judge for `judge` assertions and `--pairwise`: asks an OpenAI-compatible
 * `/v1/chat/completions` (the running stack, or the simulator) through the same RubricJudge the judge
 * service uses (prompts, verdict checks, a second ask after an invalid verdict, both orders for a
 * comparison). Anything but a valid verdict is an error, never a pass.
 */
import { ERROR_CODES } from '#contracts';
import { loadRubric, RubricJudge, rubricScore, type JudgeAsk, type JudgeModel, type JudgeReply, type Rubric } from '#persistence';

export interface Judge {
  /** The rubric's weighted score, 1-5. @throws Error when the judge cannot be asked or answers no valid verdict */
  score(rubric: string, question: string, answer: string): Promise<number>;
}

export interface HttpJudgeOptions {
  /** Base URL of an OpenAI-compatible API, without `/v1`. */
  url: string;
  apiKey: string;
  rubricsDir: string;
  /** The judge model when the rubric names none. */
  defaultModel: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export class HttpJudge implements Judge, JudgeModel {
  private readonly rubrics = new Map<string, Promise<Rubric>>();
  private readonly judge = new RubricJudge(this, { verdictAttempts: 2 });

  constructor(private readonly options: HttpJudgeOptions) {}

  async score(rubricName: string, question: string, answer: string): Promise<number> {
    const rubric = await this.rubric(rubricName);
    const graded = await this.judge.grade(rubric, { input: question, answer }, this.context(rubric));
    if (!graded.ok) throw new Error(graded.message);
    return rubricScore(rubric, graded.verdict);
  }

  /** Which of two answers to the same question is better, asked in both orders; a tie when the orders disagree. */
  async compare(rubricName: string, question: string, a: string, b: string): Promise<'A' | 'B' | 'tie'> {
    const rubric = await this.rubric(rubricName);
    const compared = await this.judge.compare(rubric, { input: question, a, b }, this.context(rubric));
    if (!compared.ok) throw new Error(compared.message);
    return compared.winner;
  }

  async ask(ask: JudgeAsk): Promise<JudgeReply> {
    const body = {
      model: ask.model,
      temperature: ask.sample === 0 ? 0 : 0.7,
      messages: ask.messages,
      response_format: { type: 'json_schema', json_schema: { name: ask.format.name, strict: true, schema: ask.format.schema } },
    };
    try {
      const response = await (this.options.fetch ?? fetch)(`${this.options.url.replace(/\/$/, '')}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.apiKey}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(Math.max(1, ask.deadline - Date.now())),
      });
      const json = (await response.json().catch(() => null)) as { choices?: { message?: { content?: string | null } }[]; error?: { message?: string } } | null;
      if (!response.ok) return failed(`the judge answered HTTP ${response.status}${json?.error?.message ? `: ${json.error.message}` : ''}`);
      const content = json?.choices?.[0]?.message?.content;
      return typeof content === 'string' ? { ok: true, content, calls: [] } : failed('the judge sent no message content');
    } catch (error) {
      return failed(`the judge could not be asked: ${(error as Error).message}`);
    }
  }

  private context(rubric: Rubric) {
    return { model: rubric.model ?? this.options.defaultModel, deadline: Date.now() + (this.options.timeoutMs ?? 60_000), meta: { requestId: 'eval', tenantId: 'eval' } };
  }

  private rubric(name: string): Promise<Rubric> {
    let rubric = this.rubrics.get(name);
    if (!rubric) this.rubrics.set(name, (rubric = loadRubric(this.options.rubricsDir, name)));
    return rubric;
  }
}

function failed(message: string): JudgeReply {
  return { ok: false, code: ERROR_CODES.judgeUnavailable, message, calls: [] };
}
