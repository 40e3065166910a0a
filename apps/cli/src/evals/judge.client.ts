/**
 * The LLM judge for `judge` assertions: asks an OpenAI-compatible `/v1/chat/completions` (the
 * running stack, or the simulator) to score an answer with a rubric. Anything but a verdict that
 * matches the rubric's schema is an error, never a pass.
 */
import { JsonOutputValidator } from '#contracts';
import { loadRubric, renderCriteria, RubricVerdict, rubricScore, type Rubric } from '#persistence';

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
  private readonly validator = new JsonOutputValidator();

  constructor(private readonly options: HttpJudgeOptions) {}

  async score(rubricName: string, question: string, answer: string): Promise<number> {
    let rubric = this.rubrics.get(rubricName);
    if (!rubric) this.rubrics.set(rubricName, (rubric = loadRubric(this.options.rubricsDir, rubricName)));
    const r = await rubric;
    const content = await this.ask(r, question, answer);
    const checked = this.validator.validate(content, { type: 'json_schema', name: 'verdict', schema: r.verdictSchema, strict: true }, { repair: false });
    if (!checked.ok) throw new Error(`the judge's answer is not a valid verdict: ${checked.errors[0]}`);
    const verdict = RubricVerdict.safeParse(checked.parsed);
    if (!verdict.success) throw new Error(`the judge's verdict has no 1-5 scores: ${verdict.error.issues[0]?.message}`);
    return rubricScore(r, verdict.data);
  }

  private async ask(rubric: Rubric, question: string, answer: string): Promise<string> {
    const body = {
      model: rubric.model ?? this.options.defaultModel,
      temperature: 0,
      messages: [
        { role: 'system', content: rubric.judgePrompt.replace('{{criteria}}', renderCriteria(rubric)) },
        { role: 'user', content: `Question:\n${question}\n\nAnswer to judge:\n${answer}` },
      ],
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
