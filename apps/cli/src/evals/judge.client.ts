/**
 * The LLM judge for `judge` assertions: asks an OpenAI-compatible `/v1/chat/completions` (the
 * running stack, or the simulator) to score an answer with a rubric, with the prompt and verdict checks
 * the judge service uses (`#persistence` rubric.judging). Anything but a verdict that matches the
 * rubric's schema is an error, never a pass.
 */
import { judgeMessages, loadRubric, parseVerdict, rubricScore, type Rubric } from '#persistence';

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

export class HttpJudge implements Judge {
  private readonly rubrics = new Map<string, Promise<Rubric>>();

  constructor(private readonly options: HttpJudgeOptions) {}

  async score(rubricName: string, question: string, answer: string): Promise<number> {
    let rubric = this.rubrics.get(rubricName);
    if (!rubric) this.rubrics.set(rubricName, (rubric = loadRubric(this.options.rubricsDir, rubricName)));
    const r = await rubric;
    const content = await this.ask(r, question, answer);
    const verdict = parseVerdict(r, content);
    if (!verdict.ok) throw new Error(verdict.reason);
    return rubricScore(r, verdict.value);
  }

  private async ask(rubric: Rubric, question: string, answer: string): Promise<string> {
    const body = {
      model: rubric.model ?? this.options.defaultModel,
      temperature: 0,
      messages: judgeMessages(rubric, { input: question, answer }),
      response_format: { type: 'json_schema', json_schema: { name: 'verdict', strict: true, schema: rubric.verdictSchema } },
    };
    const response = await (this.options.fetch ?? fetch)(`${this.options.url.replace(/\/$/, '')}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.apiKey}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
    });
    const json = (await response.json().catch(() => null)) as { choices?: { message?: { content?: string | null } }[]; error?: { message?: string } } | null;
    if (!response.ok) throw new Error(`the judge answered HTTP ${response.status}${json?.error?.message ? `: ${json.error.message}` : ''}`);
    const content = json?.choices?.[0]?.message?.content;
    if (typeof content !== 'string') throw new Error('the judge sent no message content');
    return content;
  }
}
