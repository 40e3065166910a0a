import { lexiconKey, PiiLexicon } from './lexicon/pii-lexicon.js';
import { NameLexicon, type NameClass } from './person-names.lexicon.js';

/** A person-name span in the text the recogniser was given, with its confidence. */
export interface PersonSpan {
  start: number;
  end: number;
  score: number;
}

/** Street names written as one word (`Michaelkirchstraße`, `Derdelaan`, `Paul-Nevermann-Platz`). */
const STREET_WORD = /(?:strasse|straße|str|straat|laan|gatan|gata|gade|platz|gasse|allee|vagen|vegen|veien|weg|steig|ufer|damm)$/i;

const NAME_TOKEN = "\\p{Lu}\\p{M}*(?:['’]\\p{Lu}|\\p{Ll}{1,2}\\p{Lu})?[\\p{Ll}\\p{M}]{1,24}(?:-\\p{Lu}[\\p{Ll}\\p{M}]{1,24})?(?![\\p{L}\\p{M}])";

const KINSHIP_NOUNS =
  'wife|husband|son|daughter|mother|father|mom|mum|dad|brother|sister|friend|cousin|uncle|aunt|nephew|niece|grandson|granddaughter|grandmother|grandfather|grandma|grandpa|boyfriend|girlfriend|fianc[ée]e?|stepson|stepdaughter|stepmother|stepfather|child|kid|baby|twin|partner|spouse|neighbou?r|colleague|boss|roommate|flatmate';

const ROLE_NOUNS =
  'patient|customer|client|user|employee|co-?worker|manager|supervisor|doctor|nurse|teacher|tutor|student|pupil|tenant|landlord|landlady|' +
  'agent|author|writer|poet|novelist|director|actor|actress|singer|songwriter|artist|musician|composer|painter|commenter|contributor|editor|reporter|journalist|' +
  'founder|co-?founder|ceo|cfo|cto|coo|chairman|chairwoman|president|senator|governor|mayor|minister|professor|coach|captain|officer|detective|judge|lawyer|' +
  'attorney|solicitor|witness|suspect|victim|defendant|plaintiff|applicant|candidate|guardian|beneficiary|intern|' +
  'contractor|driver|courier|technician|engineer|developer|designer|analyst|assistant|secretary|receptionist|representative|consultant|advisor|adviser|' +
  'therapist|dentist|surgeon|pharmacist|physician|pediatrician|paediatrician|owner|member|subscriber|caller|sender|recipient|cardholder|policyholder|' +
  'passenger|resident|player|teammate|classmate|' +
  KINSHIP_NOUNS;

const CONTACT_VERBS =
  'ask\\sfor|speak\\s(?:to|with)|talk\\s(?:to|with)|spoke\\s(?:to|with)|contact(?:ed)?|email(?:ed)?|e-mail(?:ed)?|call(?:ed)?|met|meet|married|marry|visit(?:ed)?|by|cc|' +
  'told|asked|thank|thanked|introduce|introduced|hired|fired|sued|paid|pay|message|messaged|text|texted|assign(?:ed)?\\sto|behalf\\sof|son\\sof|daughter\\sof|' +
  'wife\\sof|husband\\sof|friend\\sof|follow\\sup\\swith|forward(?:ed)?\\sto|add(?:ed)?|remove[ds]?|starring|featuring|directed\\sby|written\\sby|produced\\sby';

/** "Product Name: Smartphone", "Event name: Hackathon": the name of a thing, not of a person. */
const THING_NOUNS =
  'event|product|shop|store|company|business|brand|project|team|file|domain|pet|dog|cat|app|application|item|course|book|movie|film|song|album|band|' +
  'restaurant|hotel|street|city|town|country|organi[sz]ation|school|university|program|programme|variable|field|column|table|model|device|service|' +
  'plan|package|module|class|function|method|server|host|network|game|show|channel|page|site|website|account|group|folder|database|dataset|recipe|dish|' +
  'place|location|venue|ship|vessel|boat|horse|breed|species|plant|character|user|screen|display|nick|code|brand|feature|tool|task|job|role|title|tag|label';

const THING_BEFORE = new RegExp(`\\b(?:${THING_NOUNS})[ \\t_-]?$`, 'i');

/** A role or kin noun is never part of a name, even capitalised ("Nurse: …", "Uncle Tony"). */
const ROLE_WORD = new RegExp(`^(?:${ROLE_NOUNS})$`);

/** `patient|customer` → `[Pp]atient|[Cc]ustomer`: the names after them stay case-sensitive. */
const anyCase = (words: string) => words.replace(/(^|\|)([a-z])/g, (_, bar: string, c: string) => `${bar}[${c.toUpperCase()}${c}]`);

const PERSONAL_POSSESSIONS =
  'wife|husband|son|daughter|mother|father|mom|mum|dad|brother|sister|parents|family|boyfriend|girlfriend|partner|fianc[ée]e?|kids|children|birthday|passport|salary|signature|resume|cv|maiden\\s+name|middle\\s+name|first\\s+name|last\\s+name|full\\s+name|surname|diagnosis|prescription|medical|health';

interface Cue {
  /** The whole cue, matched where its prefix starts (sticky). */
  re: RegExp;
  /** The cue's words before the name, anchored at the end of a window that ends where a name starts. */
  end: RegExp;
  score: number;
  /** Capitalised words the name needs; with `lexicon`, one word is enough when it is a known name. */
  minTokens: number;
  lexicon?: boolean;
  /** One word of the name must be a known given name or surname. */
  known?: boolean;
  /** Text just before the match that makes it not about a person. */
  notAfter?: RegExp;
}

function cue(prefix: string, name: string, score: number, minTokens: number, extra: Pick<Cue, 'lexicon' | 'known' | 'notAfter'> = {}): Cue {
  return { re: new RegExp(`${prefix}${name}`, 'uy'), end: new RegExp(`(?:${prefix})$`, 'u'), score, minTokens, ...extra };
}

/** Longest text a cue takes before the name ("the full maiden name is Mrs. "). */
/** The context cues, built from the name pattern and the honorifics of the lexicon. */
function personCues(honorifics: string, fullName: string, twoNames: string): Cue[] {
  return [
    cue(`\\b(?:${honorifics})\\.?\\s{1,2}`, `(${fullName})`, 0.9, 1),
    cue(`\\b(?:[Mm]y|[Hh]is|[Hh]er|[Tt]heir|[Yy]our|[Tt]he)\\s{1,2}(?:(?:full|first|last|legal|maiden|middle|real|given|family|sur)\\s{0,2})?(?:name|surname)\\s{1,2}(?:is|was|:|=)\\s{1,2}(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\\.?\\s{1,2})?`, `(${fullName})`, 0.9, 1),
    cue(`(?:\\b[Jj]e\\sm'appelle|\\b[Mm]e\\sllamo|\\b[Mm]i\\schiamo|\\b[Ii]ch\\shei(?:ß|ss)e|\\b[Mm]ein\\sName\\sist|\\b[Mm]eu\\snome\\s(?:é|e)|\\b[Mm]i\\snombre\\ses|\\b[Ii]l\\smio\\snome\\s(?:è|e)|\\b[Ii]k\\sheet|\\b[Mm]ijn\\snaam\\sis|\\b[Jj]ag\\sheter|\\b[Nn]azywam\\ssię|\\b[Bb]enim\\sadım|(?<![\\p{L}])[Мм]еня\\sзовут|\\b[Mm]y\\sname's|\\b(?:[Cc]all(?:s|ed)?|[Cc]alling)\\sme|\\b[Gg]o(?:es)?\\sby)\\s{1,2}`, `(${fullName})`, 0.8, 1),
    cue(`(?:^|\\n|\\b)(?:[Ff]ull\\s)?(?:[Nn]ame|NAME|[Cc]ustomer|[Pp]atient|[Cc]lient|[Cc]ontact|[Rr]ecipient|[Ss]ender|[Aa]pplicant|[Ee]mployee|[Cc]ardholder|[Aa]ccount\\s[Hh]older|[Aa]ttn|[Aa]ttention|[Ff]rom|[Tt]o|[Cc]c|[Ss]igned|[Aa]uthor|[Ww]itness|[Aa]ssignee|[Oo]wner|[Rr]eporter)[ \\t]{0,8}:[ \\t]{0,8}`, `(${fullName})`, 0.85, 1, { notAfter: THING_BEFORE }),
    cue(`\\b(?:[Dd]ear|[Hh]i|[Hh]ello|[Hh]ey|[Gg]reetings|[Tt]hanks|[Tt]hank\\syou|[Cc]ongratulations|[Cc]ongrats|[Ww]elcome|[Gg]ood\\s(?:morning|afternoon|evening)|[Hh]ola|[Bb]onjour|[Cc]iao|[Hh]allo|[Oo]lá)[ \\t]{0,2},?[ \\t]{1,2}`, `(${fullName})(?![\\p{L}\\p{M}])`, 0.8, 1),
    cue(`\\b(?:[Rr]egards|[Ss]incerely|[Cc]heers|[Tt]hanks|[Bb]est|[Yy]ours(?:\\s(?:truly|faithfully|sincerely))?|[Ww]arm(?:ly|\\sregards)|[Ll]ove|[Xx]oxo)\\s{0,2},?\\s{0,2}\\n\\s{0,3}`, `(${fullName})(?=[ \\t]*(?:\\n|$))`, 0.85, 1),
    // "What's your name? Ana Souza", "the name on the account? User: Ana Souza", "my partner's name Ana Souza".
    cue(`\\b[Nn]ame(?:\\s(?:on|for|of)\\s(?:the|your|this)\\s[a-z]{2,12})?\\?\\s{1,3}(?:(?:[Uu]ser|[Cc]ustomer|[Cc]lient|[Cc]aller|[Aa]nswer|A):\\s{1,2})?`, `(${fullName})`, 0.8, 1),
    cue(`\\b\\p{Ll}+['’]s\\s(?:(?:full|first|last|maiden)\\s)?name\\s(?:is\\s)?`, `(${fullName})`, 0.8, 1),
    cue(`\\b(?:[Ii]t's|[Ii]t\\sis)\\s{1,2}`, `(${fullName})(?=\\s{0,2}(?:[,.!?;:]|$|\\n|and\\b|from\\b|here\\b|speaking\\b|calling\\b))`, 0.7, 2, { lexicon: true }),
    cue(`\\b(?:[Ii]\\s?am|[Ii]'m|[Tt]his\\sis)\\s{1,2}`, `(${fullName})(?=\\s{0,2}(?:[,.!?;:]|$|\\n|and\\b|from\\b|here\\b|speaking\\b|calling\\b|with\\b|of\\b|at\\b))`, 0.75, 1),
    cue(`\\b(?:named|called|nicknamed|aka|a\\.k\\.a\\.)\\s{1,2}`, `(${fullName})`, 0.75, 1),
    cue(`\\b(?:${anyCase(CONTACT_VERBS)})\\s{1,2}`, `(${twoNames})`, 0.6, 2),
    // Role nouns: "the patient Ana Souza", "customer Priya Patel"; one word only when it is a known name.
    cue(`\\b(?:${ROLE_NOUNS})[ \\t]{1,2}`, `(${fullName})`, 0.6, 2, { lexicon: true }),
    // Kin and close contacts: "my wife Ana", "her colleague Brandt".
    cue(`\\b(?:[Mm]y|[Hh]is|[Hh]er|[Oo]ur|[Tt]heir|[Yy]our)\\s{1,2}(?:${KINSHIP_NOUNS})[ \\t]{1,2}`, `(${fullName})`, 0.65, 1),
    // A surname or given name after a verb of speech or contact: "says Kowalski", "asked Okafor".
    cue(`\\b(?:${anyCase('says|said|asked|asks|replied|replies|added|adds|explained|wrote|writes|told|tells|according\\sto|by|with|cc|thank|thanks|ask|call|email|contact|invite|invited|starring|featuring')})\\s{1,2}`, `(${NAME_TOKEN})`, 0.55, 2, { lexicon: true }),
  ];
}

const CUE_WINDOW = 48;

function isLetterCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c > 127 && LETTER.test(String.fromCharCode(c)));
}

/** "Anna's husband", "Kowalski's passport": after a possessive, something only a person has. */
const POSSESSION_AFTER = new RegExp(`^\\s{1,2}(?:${PERSONAL_POSSESSIONS})\\b`);

/** "Klimek shouted at…", "Ana smiled": after the subject, what only people do. */
const HUMAN_VERB_AFTER = /^[ \t]{1,2}(?:shouted|whispered|yelled|screamed|smiled|laughed|cried|wept|sighed|nodded|hugged|kissed|winked|frowned|grinned|giggled|married|divorced)\b/;

/** "Ana: "Who are you?"": speaker labels of a dialogue (two or more lines). */
const SPEAKER = new RegExp(`(?:^|\\n)[ \\t>]{0,3}(${NAME_TOKEN}(?:[ \\t]${NAME_TOKEN})?)[ \\t]{0,2}:[ \\t]{0,2}(?=\\\\{0,3}["“„«])`, 'gu');

/** Japanese and Chinese names before an honorific (`田中さん`, `王先生`), Korean before 씨 / 님. */
const CJK_HONORIFIC = /([\p{Script=Han}\p{Script=Katakana}ー]{1,4})(?:さん|様|さま|先生|氏|君|くん|ちゃん|女士|小姐|老师|老師|教授|医生|醫生)/gu;

const KOREAN_HONORIFIC = /(?<![\p{Script=Hangul}])([\p{Script=Hangul}]{2,3})([ ]?)(씨|님)/gu;

/** Words ending in 씨 that are not names: weather, handwriting, skill, "mister", "miss"… */
const KOREAN_SSI_WORDS = /(?:날|글|솜|말|맵|마음|아저|아가|맘)$/u;

const CHINESE_SURNAMES = new Set('王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何高林罗羅郑鄭梁谢謝宋唐许許韩韓冯馮邓鄧曹彭曾肖田董袁潘于蒋蔣蔡余杜叶葉程苏蘇魏吕呂丁任沈姚卢盧姜崔钟鍾谭譚陆陸汪范金石廖贾賈夏韦韋付方白邹鄒孟熊秦邱江尹薛闫閆段雷侯龙龍史陶黎贺賀顾顧毛郝龚龔邵万萬钱錢严嚴覃武戴莫孔向汤湯'.split(''));

const KOREAN_SURNAMES = new Set('김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나지엄변채원천방공현함염여추도소석선설마길연위표명기반라왕금옥육인맹제모탁국어은편용예경봉사부'.split(''));

const KOREAN_NOT_NAMES = new Set(['선생', '사장', '부장', '과장', '차장', '대리', '원장', '교수', '고객', '회원', '기사', '반장', '회장', '팀장', '실장', '소장', '국장', '선배', '후배', '형님', '누님', '언니', '오빠', '아저', '아주머', '손님', '여러분', '사모', '주인', '신부', '수녀', '목사', '스님', '날', '솜', '말', '글', '맵', '마음']);

interface Token {
  text: string;
  start: number;
  /** End of the word, without a possessive `'s`. */
  end: number;
  possessive: boolean;
  title: boolean;
  initial: boolean;
  particle: boolean;
  /** Cannot be part of a name (a common word, honorific, organisation or place word). */
  stop: boolean;
  cls: NameClass;
}

const WORD = /[\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+|-[\p{L}\p{M}]+)*/gu;

const ASCII_WORD = /^[A-Za-z'-]+$/;

const TITLE_CASE = /^\p{Lu}\p{M}*(?:['’]?\p{Lu})?[\p{Ll}\p{M}'’-]*\p{Ll}[\p{L}\p{M}'’-]*$/u;

/** Two words are parts of one name when only one or two spaces (or an initial's dot) sit between them. */
function joined(s: string, a: Token, b: Token): boolean {
  if (a.possessive) return false;
  const gap = s.slice(a.end, b.start);
  return /^[ \t]{1,2}$/.test(gap) || (a.initial && /^\.[ \t]{0,2}$/.test(gap));
}

/** A run may not start or end with a bare capital letter ("Plan B", "Vitamin C"). */
function bareInitial(s: string, t: Token): boolean {
  return t.initial && s[t.end] !== '.';
}

/** Runs of capitalised words (with initials and particles inside) that could be one name. */
function nameRuns(s: string, tokens: Token[]): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (!((t.title && !t.stop) || (t.initial && !bareInitial(s, t)))) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < tokens.length) {
      const next = tokens[j + 1]!;
      if (!joined(s, tokens[j]!, next)) break;
      if ((next.title && !next.stop) || next.initial) {
        j++;
        continue;
      }
      // A lower-case particle inside a name: `Ludwig van Beethoven`, `Maria de los Santos`.
      let k = j + 1;
      while (k < tokens.length && tokens[k]!.particle && !tokens[k]!.title && k - j <= 2 && joined(s, tokens[k - 1]!, tokens[k]!)) k++;
      if (k > j + 1 && k < tokens.length && tokens[k]!.title && !tokens[k]!.stop && joined(s, tokens[k - 1]!, tokens[k]!)) {
        j = k;
        continue;
      }
      break;
    }
    runs.push([i, j]);
    i = j + 1;
  }
  return runs;
}

/** The word right before `at` (one or two spaces between), and whether a dot follows it ("St. John"). */
function wordBefore(s: string, at: number): { word: string; dot: boolean } | null {
  let i = at;
  while (i > 0 && at - i < 2 && (s[i - 1] === ' ' || s[i - 1] === '\t')) i--;
  if (i === at) return null;
  const dot = s[i - 1] === '.';
  if (dot) i--;
  const end = i;
  while (i > 0 && end - i < 24 && LETTER.test(s[i - 1]!)) i--;
  return i < end ? { word: s.slice(i, end), dot } : null;
}

const LETTER = /\p{L}/u;

/** Cues read off the words: a possessive before a person's things, a subject before a human verb. */
function wordCues(s: string, tokens: Token[], add: (start: number, end: number, score: number) => void): void {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!t.title || t.stop) continue;
    if (t.possessive) {
      if (!POSSESSION_AFTER.test(s.slice(t.end + 2, t.end + 40))) continue;
      let first = i;
      while (first > 0 && tokens[first - 1]!.title && !tokens[first - 1]!.stop && joined(s, tokens[first - 1]!, tokens[first]!) && i - first < 3) first--;
      add(tokens[first]!.start, t.end, 0.6);
    } else if (HUMAN_VERB_AFTER.test(s.slice(t.end, t.end + 14))) {
      add(t.start, t.end, 0.55);
    }
  }
}

function cjkNames(s: string, add: (start: number, end: number, score: number) => void): void {
  if (!/[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/.test(s)) return;
  for (const m of s.matchAll(CJK_HONORIFIC)) {
    let name = m[1]!;
    let start = m.index;
    const before = s[start - 1] ?? '';
    // A longer run of Han characters is a Chinese sentence: the name starts at a common surname.
    if (/[\p{Script=Han}]/u.test(before) || name.length > 3) {
      const at = [...name].findIndex((c, i) => CHINESE_SURNAMES.has(c) && name.length - i <= 3);
      if (at < 0) continue;
      start += at;
      name = name.slice(at);
    }
    add(start, start + name.length, 0.8);
  }
  for (const m of s.matchAll(KOREAN_HONORIFIC)) {
    const name = m[1]!;
    if (!KOREAN_SURNAMES.has(name[0]!) || KOREAN_NOT_NAMES.has(name) || KOREAN_NOT_NAMES.has(name.slice(0, 2))) continue;
    if (m[3] === '씨' && !m[2] && KOREAN_SSI_WORDS.test(name)) continue;
    if (m[3] === '님' && name.length !== 3) continue;
    add(m.index, m.index + name.length, 0.75);
  }
}

/** Typed without capitals (apart from `I` and acronyms): names are lower case too. */
function isCaseless(s: string): boolean {
  return /\p{Ll}/u.test(s) && !/(?<![\p{L}\p{M}])(?!I(?![\p{L}]))\p{Lu}\p{M}*\p{Ll}/u.test(s);
}

const CASELESS_CUE =
  /\b(?:my\sname\sis|name\sis|my\sname's|call\sme|calls\sme|called\sme|named(?:\s(?:him|her))?|call(?:ed)?\s(?:him|her)|i\sam|i'm|this\sis|hi|hello|hey|dear|mr\.?|mrs\.?|ms\.?|miss|dr\.?|prof\.?|said|says|asked|told|thanks|regards,?|cheers,?)[ \t]{1,2}([\p{Ll}\p{M}]{3,}(?:[ \t]{1,2}[\p{Ll}\p{M}]{3,})?)/gu;

const CASELESS_SUBJECT =
  /(?:^|[.!?\n][ \t]{0,3})([\p{Ll}\p{M}]{3,})[ \t](?=(?:is|was|has|had|will|lives|lived|works|worked|spent|said|says|told|asked|shouted|wants|needs|went|called|wrote)\b)/gu;

/** Which characters of the text the spans cover, to ask "is this word inside a name?" in constant time. */
function coverage(spans: readonly PersonSpan[], length: number): Uint8Array {
  const covered = new Uint8Array(length);
  for (const p of spans) covered.fill(1, p.start, p.end);
  return covered;
}

const inside = (covered: Uint8Array, t: Token) => covered.subarray(t.start, t.end).includes(1);

/** A list item that is one word, not the start or end of a longer capitalised run. */
function isSingleWord(s: string, t: Token): boolean {
  return !/^[ \t]{1,2}\p{Lu}/u.test(s.slice(t.end + (t.possessive ? 2 : 0), t.end + 4)) && !/\p{Lu}\p{Ll}*[ \t]{1,2}$/u.test(s.slice(Math.max(0, t.start - 20), t.start));
}

/** A word that was part of a name found above is a name wherever else it stands capitalised. */
function repeatedNames(tokens: Token[], found: Uint8Array, add: (start: number, end: number, score: number) => void): void {
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.title && !t.stop && t.text.length >= 3 && t.cls !== 'given?' && t.cls !== 'family?' && inside(found, t)) seen.add(t.text);
  }
  if (seen.size === 0) return;
  for (const t of tokens) if (t.title && seen.has(t.text) && !inside(found, t)) add(t.start, t.end, 0.5);
}

function escapeRegExp(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Person names from the name lists in `data/pii-lexicon/` (given names, surnames, particles,
 * suffixes, honorifics, stop words). Its only state is a bounded memo of word → class that depends
 * on the lists alone, so one instance serves every text.
 *
 * @example new PersonRecognizer().find('Please call Dr. Ana Souza') // [{ start: 15, end: 25, score: 0.9 }]
 */
export class PersonRecognizer {
  private readonly names: NameLexicon;
  private readonly cues: readonly Cue[];
  private readonly anyCue: RegExp;
  private readonly nameWord: RegExp;
  private readonly suffixAfter: RegExp;
  private readonly suffixAfterCaseless: RegExp;
  private readonly classCache = new Map<string, NameClass>();
  private readonly stopCache = new Map<string, boolean>();

  constructor(private readonly lexicon: PiiLexicon = PiiLexicon.shipped()) {
    this.names = new NameLexicon(lexicon);
    const alt = (words: readonly string[]) => words.map(escapeRegExp).join('|');
    const suffixes = alt(lexicon.words('name-suffixes'));
    const suffix = `(?:,?[ \\t]{1,2}(?:${suffixes})\\b\\.?)?`;
    const particle = `(?:${alt(lexicon.words('name-particles'))})`;
    const fullName = `${NAME_TOKEN}(?:[ \\t]{1,2}(?:\\p{Lu}\\.[ \\t]{1,2})?(?:${particle}[ \\t]{1,2}){0,2}${NAME_TOKEN}){0,3}${suffix}`;
    const twoNames = `${NAME_TOKEN}\\s{1,2}(?:\\p{Lu}\\.\\s{1,2})?(?:${particle}\\s{1,2})?${NAME_TOKEN}${suffix}`;
    this.cues = personCues(alt(lexicon.words('honorifics')), fullName, twoNames);
    this.anyCue = new RegExp(`(?:${this.cues.map((c) => c.end.source.slice(0, -1)).join('|')})(?=\\p{Lu})`, 'uy');
    const joiners = alt([...lexicon.words('name-particles'), ...lexicon.words('name-conjunctions')]);
    // The words that can matter in a text with capitals: capitalised words, name particles and conjunctions.
    this.nameWord = new RegExp(`(?<![\\p{L}\\p{M}\\d'’-])(?:\\p{Lu}[\\p{L}\\p{M}]*(?:['’][\\p{L}\\p{M}]+|-[\\p{L}\\p{M}]+)*|(?:${joiners})(?![\\p{L}\\p{M}'’-]))`, 'gu');
    this.suffixAfter = new RegExp(`^,?[ \\t]{1,2}(?:${suffixes})\\b\\.?`);
    // Typed without capitals, "do" is the verb, not Doctor of Osteopathy.
    const caseless = lexicon.words('name-suffixes').map((w) => w.toLowerCase()).filter((w) => w !== 'do');
    this.suffixAfterCaseless = new RegExp(`^,?[ \\t]{1,2}(?:${alt(caseless)})\\b\\.?`);
  }

  /** A stop word, organisation head or place prefix: never part of a name when capitalised. */
  private isStopKey(key: string): boolean {
    return this.lexicon.hasKey('stop-words', key) || this.lexicon.hasKey('org-heads', key) || this.lexicon.hasKey('place-prefixes', key);
  }

  /** Where a cue that ends right before `name` starts (tried at word starts only), or -1. */
  private cueStart(s: string, name: number): number {
    const from = Math.max(0, name - CUE_WINDOW);
    for (let i = from; i < name; i++) {
      const c = s.charCodeAt(i);
      const prev = i > 0 ? s.charCodeAt(i - 1) : 32;
      if (c !== 10 && !isLetterCode(c)) continue;
      if (c !== 10 && isLetterCode(prev)) continue;
      this.anyCue.lastIndex = i;
      const m = this.anyCue.exec(s);
      if (m && m.index + m[0].length === name) return i;
    }
    return -1;
  }

  private cachedClass(word: string): NameClass {
    let cls = this.classCache.get(word);
    if (cls === undefined) {
      if (this.classCache.size > 20_000) this.classCache.clear();
      cls = this.names.nameClass(word);
      this.classCache.set(word, cls);
    }
    return cls;
  }

  private isStopWord(word: string): boolean {
    let stop = this.stopCache.get(word);
    if (stop === undefined) {
      if (this.stopCache.size > 20_000) this.stopCache.clear();
      const key = lexiconKey(word);
      stop = this.isStopKey(key) || ROLE_WORD.test(key);
      this.stopCache.set(word, stop);
    }
    return stop;
  }

  /**
   * Words of the text. In a text typed without capitals (`caseless`), a lower-case word stands in for
   * a capitalised one only when the name lists know it as a given name or surname.
   */
  private tokenize(s: string, caseless: boolean): Token[] {
    const tokens: Token[] = [];
    for (const m of s.matchAll(caseless ? WORD : this.nameWord)) {
      let text = m[0];
      const start = m.index;
      const c = text.charCodeAt(0);
      if (c >= 97 && c <= 122 && !caseless) {
        tokens.push({ text, start, end: start + text.length, possessive: false, title: false, initial: false, particle: this.lexicon.hasKey('name-particles', text), stop: false, cls: null });
        continue;
      }
      const possessive = text.length > 3 && (text.endsWith("'s") || text.endsWith('’s') || text.endsWith("'S"));
      if (possessive) text = text.slice(0, -2);
      const title = ASCII_WORD.test(text) ? c >= 65 && c <= 90 && /[a-z]/.test(text) : TITLE_CASE.test(text) && text !== text.toUpperCase();
      const initial = !title && text.length === 1 && /\p{Lu}/u.test(text) && (s[start + 1] === '.' || (text !== 'I' && text !== 'A' && s[start + 1] === ' '));
      const lower = !title && !initial;
      const particle = this.lexicon.hasKey('name-particles', text.toLowerCase()) && (lower || text.length <= 3);
      if (caseless && !title && !initial && !particle && text.length >= 3) {
        const stop = this.isStopWord(text);
        const cls = stop ? null : this.cachedClass(text);
        const known = cls === 'given' || cls === 'family';
        tokens.push({ text, start, end: start + text.length, possessive, title: known, initial: false, particle: false, stop: stop || !known, cls });
        continue;
      }
      const stop = title ? this.isStopWord(text) : false;
      tokens.push({ text, start, end: start + text.length, possessive, title, initial, particle, stop, cls: title && !stop ? this.cachedClass(text) : null });
    }
    return tokens;
  }

  /** The confidence that a run of capitalised words is a person's name, from the name lists; 0 when it is not. */
  private runScore(headings: Map<number, boolean>, s: string, tokens: Token[], from: number, to: number): number {
    const parts = tokens.slice(from, to + 1).filter((t) => t.title);
    if (parts.length === 0 || parts.length > 4) return 0;
    let given = 0;
    let maybeGiven = 0;
    let family = 0;
    let maybeFamily = 0;
    for (const t of parts) {
      if (t.cls === 'given') given++;
      else if (t.cls === 'given?') maybeGiven++;
      else if (t.cls === 'family') family++;
      else if (t.cls === 'family?') maybeFamily++;
    }
    const unknown = parts.length - given - maybeGiven - family - maybeFamily;
    let score = 0;
    if (given > 0) score = parts.length > 1 ? 0.7 : 0.55;
    else if (parts.length >= 2 && maybeGiven + family + maybeFamily >= 2 && (family >= 1 || (maybeGiven >= 1 && parts[0]!.cls === 'given?'))) score = 0.65;
    else if (parts.length === 2 && family === 1 && unknown === 1) score = 0.6;
    if (score === 0) return 0;
    const first = tokens[from]!;
    const last = tokens[to]!;
    const before = wordBefore(s, first.start);
    if (before && (this.lexicon.has('place-prefixes', before.word) || (before.dot && /^(?:st|mt|ft)$/i.test(before.word)))) return 0;
    if (!last.possessive && this.beforeOrgHead(s, last.end)) return 0;
    // A house number before, or "&" beside ("Smith & Wesson"): an address or a firm.
    if (/\d[ \t]{1,3}$/.test(s.slice(Math.max(0, first.start - 4), first.start))) return 0;
    if (/^[ \t]{0,2}&[ \t]{0,2}\p{Lu}/u.test(s.slice(last.end, last.end + 6)) || /\p{L}[ \t]{0,2}&[ \t]{0,2}$/u.test(s.slice(Math.max(0, first.start - 6), first.start))) return 0;
    if (parts.some((t) => t.text.length > 6 && STREET_WORD.test(t.text))) return 0;
    // "in Quincy": a single given name after "in" is a place more often than a person.
    if (parts.length === 1 && !parts[0]!.possessive && /\bin[ \t]{1,2}$/.test(s.slice(Math.max(0, parts[0]!.start - 4), parts[0]!.start))) return 0;
    // In a title-case heading ("Bacterial Growth in Petri Dishes") only known name parts count.
    if ((unknown > 0 || parts.length === 1) && this.isHeading(headings, s, first.start)) return 0;
    return score;
  }

  /** Whether the line around `at` is a title or heading (remembered per line for one call). */
  private isHeading(headings: Map<number, boolean>, s: string, at: number): boolean {
    const start = s.lastIndexOf('\n', at) + 1;
    let heading = headings.get(start);
    if (heading === undefined) {
      heading = this.lineIsHeading(s, start);
      headings.set(start, heading);
    }
    return heading;
  }

  /** Three or more capitalised words that are not known names, and no lower-case word beyond function words. */
  private lineIsHeading(s: string, start: number): boolean {
    let end = s.indexOf('\n', start);
    if (end < 0) end = s.length;
    if (end - start > 200) return false;
    let plain = 0;
    for (const m of s.slice(start, end).matchAll(/[\p{L}]{4,}/gu)) {
      if (/^\p{Lu}\p{Ll}/u.test(m[0])) {
        if (this.isStopWord(m[0]) || this.cachedClass(m[0]) === null) plain++;
      } else if (!this.isStopKey(lexiconKey(m[0]))) {
        return false;
      }
    }
    return plain >= 3;
  }

  /** Drops leading and trailing words that are not names; the name's length in `name`, or null. */
  private trimName(name: string, minTokens: number, lexicon: boolean): string | null {
    const tokens = [...name.matchAll(/\S+/g)];
    const stop = (t: string) => (/^\p{Lu}/u.test(t) ? this.isStopWord(t.replace(/[.,]$/, '')) : this.lexicon.has('stop-words', t));
    let last = tokens.length - 1;
    while (last >= 0 && stop(tokens[last]![0])) last--;
    if (last < 0 || stop(tokens[0]![0])) return null;
    const kept = tokens.slice(0, last + 1);
    const capitalised = kept.filter((t) => /^\p{Lu}/u.test(t[0]));
    const known = (t: string) => this.cachedClass(t) === 'given' || this.cachedClass(t) === 'family';
    if (capitalised.length < minTokens && !(lexicon && capitalised.some((t) => known(t[0])))) return null;
    const lastToken = kept[kept.length - 1]!;
    return name.slice(0, lastToken.index + lastToken[0].length);
  }

  /**
   * Person names: context cues (honorifics, "my name is", greetings, sign-offs, role nouns, verbs of
   * contact), then capitalised runs that the name lists make likely (a known given name, or two
   * known name parts), then names in lists beside known names and repeats of names already found.
   */
  find(s: string): PersonSpan[] {
    const out: PersonSpan[] = [];
    const add = (start: number, end: number, score: number) => {
      if (end > start) out.push({ start, end, score });
    };

    const caseless = isCaseless(s);
    const headings = new Map<number, boolean>();
    const tokens = this.tokenize(s, caseless);
    // Cues end right before a capitalised word: look for them only there.
    for (const t of tokens) {
      if (!t.title || t.stop) continue;
      const at = this.cueStart(s, t.start);
      if (at < 0) continue;
      for (const cue of this.cues) {
        const end = cue.end.exec(s.slice(at, t.start));
        if (!end) continue;
        cue.re.lastIndex = at + end.index;
        const m = cue.re.exec(s);
        if (!m) continue;
        const start = m.index + m[0].lastIndexOf(m[1]!);
        const name = this.trimName(m[1]!, cue.minTokens, cue.lexicon ?? false);
        if (!name || this.beforeOrgHead(s, start + name.length)) continue;
        if (cue.known && !name.split(/\s+/).some((w) => this.cachedClass(w) === 'given' || this.cachedClass(w) === 'family')) continue;
        if (cue.notAfter?.test(s.slice(Math.max(0, m.index - 16), m.index))) continue;
        add(start, start + name.length, cue.score);
      }
    }
    const speakers = [...s.matchAll(SPEAKER)].filter((m) => this.trimName(m[1]!, 1, false) === m[1]);
    if (speakers.length >= 2) for (const m of speakers) add(m.index + m[0].indexOf(m[1]!), m.index + m[0].indexOf(m[1]!) + m[1]!.length, 0.6);
    cjkNames(s, add);

    if (caseless) this.caselessCues(s, add);
    wordCues(s, tokens, add);
    for (const [from, to] of nameRuns(s, tokens)) {
      const score = this.runScore(headings, s, tokens, from, to);
      // Without capitals, a lone known name needs a cue; a given name and a surname together suffice.
      if (score === 0 || (caseless && to === from)) continue;
      if (to === from && this.besideSurnames(s, tokens, from)) continue;
      let first = from;
      // "Producer Michael Hansen": an unknown word before a name that stands on its own is not part of it.
      while (to - first >= 2 && tokens[first]!.title && tokens[first]!.cls === null && this.runScore(headings, s, tokens, first + 1, to) > 0) first++;
      while (first < to && !tokens[first]!.title) first++;
      let last = to;
      while (last > first && !tokens[last]!.title) last--;
      const suffix = (caseless ? this.suffixAfterCaseless : this.suffixAfter).exec(s.slice(tokens[last]!.end, tokens[last]!.end + 8));
      add(tokens[first]!.start, tokens[last]!.end + (suffix && !tokens[last]!.possessive ? suffix[0].length : 0), score);
    }
    this.listedNames(s, tokens, coverage(out, s.length), add, caseless);
    repeatedNames(tokens, coverage(out, s.length), add);
    return out;
  }

  /** "Cantrell Ltd", "Hopkins University": the capitalised words are part of an organisation's or place's name. */
  private beforeOrgHead(s: string, end: number): boolean {
    const next = /^[ \t]{1,2}([\p{L}]+)/u.exec(s.slice(end, end + 30));
    return next !== null && this.lexicon.has('org-heads', next[1]!);
  }

  /** "my name is marie", "call me philipp", "mr. freeman": a known name after a strong cue, in a text without capitals. */
  private caselessCues(s: string, add: (start: number, end: number, score: number) => void): void {
    // "michael is a very …": a known given name opening a sentence, before a verb.
    for (const m of s.matchAll(CASELESS_SUBJECT)) {
      if (this.isStopWord(m[1]!) || this.cachedClass(m[1]!) !== 'given') continue;
      const start = m.index + m[0].length - m[1]!.length - 1;
      add(start, start + m[1]!.length, 0.6);
    }
    for (const m of s.matchAll(CASELESS_CUE)) {
      const words = m[1]!.split(/[ \t]+/);
      const honorific = /^(?:mr|mrs|ms|miss|dr|prof)\b/.test(m[0]);
      const first = this.isStopWord(words[0]!) ? null : this.cachedClass(words[0]!);
      if (first !== 'given' && !(honorific && first === 'family')) continue;
      const second = words[1] && !this.isStopWord(words[1]) ? this.cachedClass(words[1]) : null;
      const start = m.index + m[0].length - m[1]!.length;
      // "my name is janice beneventi.": a second word that ends the sentence is the surname.
      const ends = words[1] !== undefined && !this.isStopWord(words[1]) && /^[ \t]*(?:[.!?,;]|$|\n)/.test(s.slice(start + m[1]!.length, start + m[1]!.length + 3));
      const length = second === 'family' || second === 'given' || ends ? m[1]!.length : words[0]!.length;
      add(start, start + length, 0.7);
    }
  }

  /** "They hired Ana, Kofi, Brandt and Yusuf": single capitalised words listed beside known names. */
  private listedNames(s: string, tokens: Token[], found: Uint8Array, add: (start: number, end: number, score: number) => void, caseless: boolean): void {
    const item = (t: Token) => (caseless ? t.text.length >= 3 && !this.isStopWord(t.text) && !t.initial : t.title && !t.stop);
    let i = 0;
    while (i < tokens.length) {
      const items: Token[] = [];
      let coordinated = false;
      let j = i;
      while (j < tokens.length) {
        const t = tokens[j]!;
        if (!item(t)) break;
        items.push(t);
        const next = tokens[j + 1];
        if (!next) break;
        const gap = s.slice(t.end + (t.possessive ? 2 : 0), next.start);
        if (/^,[ \t]{1,2}$/.test(gap) && item(next)) {
          j++;
          continue;
        }
        if (/^,?[ \t]{1,2}$/.test(gap) && /^(?:and|or|und|et|y|e|i|og|och|en)$/.test(next.text) && tokens[j + 2] && item(tokens[j + 2]!) && /^[ \t]{1,2}$/.test(s.slice(next.end, tokens[j + 2]!.start))) {
          coordinated = true;
          j += 2;
          continue;
        }
        break;
      }
      i = Math.max(j, i) + 1;
      if (items.length < 2 || (items.length === 2 && !coordinated)) continue;
      // Surnames alone ("Jones, Mitchell and Williams") name firms as often as people: a given name that is not also a surname decides.
      const given = items.filter((t) => t.cls === 'given' && !this.names.isSurname(t.text)).length;
      const known = items.filter((t) => t.cls !== null || inside(found, t)).length;
      if (given === 0 || known < 2 || known * 2 < items.length) continue;
      for (const t of items) if (!inside(found, t) && (caseless || isSingleWord(s, t))) add(t.start, t.end, 0.5);
    }
  }

  /** "Jones, Mitchell and Williams": a given name that is also a surname, listed among surnames, names a firm. */
  private besideSurnames(s: string, tokens: Token[], i: number): boolean {
    const t = tokens[i]!;
    if (!this.names.isSurname(t.text)) return false;
    const listed = (a: Token, b: Token) => /^(?:,|,?[ \t]{1,2}(?:and|&)|[ \t]{0,2}&)[ \t]{1,2}$/.test(s.slice(a.end, b.start));
    const surnameOnly = (u: Token | undefined) => u !== undefined && u.title && (u.cls === 'family' || u.cls === 'family?');
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    return (surnameOnly(prev) && listed(prev!, t)) || (surnameOnly(next) && listed(t, next!));
  }
}
