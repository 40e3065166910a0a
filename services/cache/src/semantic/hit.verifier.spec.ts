import { HitVerifier, loadVerifierWords, oneEditApart } from './hit.verifier.js';

describe('loadVerifierWords', () => {
  it('loads the shipped word lists', () => {
    const words = loadVerifierWords();
    expect(words.negations).toContain('not');
    expect(words.numberWords['three']).toBe('3');
    expect(words.stopwords).toContain('the');
    expect(words.questionWords).toEqual(expect.arrayContaining(['why', 'how', 'when', 'where', 'who']));
    expect(words.questionWords).not.toContain('what');
    expect(words.persons['my']).toBe(words.persons['i']);
    expect(words.persons['your']).not.toBe(words.persons['my']);
  });

  it('holds lower-case words as wordsOf() splits them, no duplicates, and no negation among the stop words', () => {
    const words = loadVerifierWords();
    for (const list of [words.negations, words.questionWords, words.stopwords, words.directional, Object.keys(words.persons), Object.keys(words.numberWords)]) {
      expect(list.every((w) => /^[\p{Ll}\p{N}]+$/u.test(w))).toBe(true);
      expect(new Set(list).size).toBe(list.length);
    }
    expect(words.negations.filter((w) => words.stopwords.includes(w))).toEqual([]);
  });

  it('names the missing file', () => {
    expect(() => loadVerifierWords('missing-words.json')).toThrow(/services\/cache\/data\/missing-words\.json/);
  });
});

describe('HitVerifier', () => {
  const verifier = new HitVerifier();

  it('accepts a rewording that keeps the numbers, negation, names and key words', () => {
    expect(verifier.refusal('How do I reset my router password?', 'how can I reset the password of my router')).toBeNull();
    expect(verifier.refusal('Which city is the capital of France?', 'What is the capital city of France')).toBeNull();
  });

  it('refuses neighbours that differ in a number, including one spelled out', () => {
    expect(verifier.refusal('What is a good laptop under 500 dollars?', 'What is a good laptop under 1000 dollars?')).toBe('numbers');
    expect(verifier.refusal('Is 3 days enough to visit Rome?', 'Is three days enough to visit Rome?')).toBeNull();
  });

  it('refuses a negated neighbour', () => {
    expect(verifier.refusal('Why does my phone charge slowly?', "Why doesn't my phone charge?")).toBe('negation');
    expect(verifier.refusal('Is coffee good for health?', 'Is coffee not good for health?')).toBe('negation');
  });

  it('refuses a neighbour about another named entity', () => {
    expect(verifier.refusal('What is the population of Norway?', 'What is the population of Sweden?')).toBe('entities');
  });

  it('refuses a question and its reverse, which share every word', () => {
    expect(verifier.refusal('How do I convert USD to EUR?', 'How do I convert EUR to USD?')).toBe('direction');
    expect(verifier.refusal('Is Python better than Java?', 'Is Java better than Python?')).toBe('direction');
    expect(verifier.refusal('How long is the flight from Paris to Rome?', 'How long is the flight from Rome to Paris?')).toBe('direction');
    expect(verifier.refusal('How do I convert USD to EUR?', 'how can I convert USD to EUR')).toBeNull();
  });

  it('refuses a neighbour that asks why instead of how, or who instead of what', () => {
    expect(verifier.refusal('How was chocolate invented?', 'Why was chocolate invented?')).toBe('question-word');
    expect(verifier.refusal('What is Virat Kohli like?', 'Who is Virat Kohli like?')).toBe('question-word');
    expect(verifier.refusal('What is the best cab service in Pune?', 'Which is the best cab service in Pune?')).toBeNull();
  });

  it('refuses a neighbour about another person: my marketing plan is not your marketing plan', () => {
    expect(verifier.refusal('What is your marketing strategy?', 'What is my marketing strategy?')).toBe('person');
    expect(verifier.refusal('What has changed you?', 'What has changed?')).toBe('person');
    expect(verifier.refusal('How can I improve my English?', 'How do I improve my English?')).toBeNull();
  });

  it('refuses a neighbour that lacks a key content word', () => {
    expect(verifier.refusal('How do I learn Python programming?', 'How do I learn programming?')).not.toBeNull();
    expect(verifier.refusal('How do I cook rice in a pressure cooker?', 'How do I cook pasta in a pressure cooker?')).not.toBeNull();
    expect(verifier.refusal('What are the best trap cards in Yu-Gi-Oh?', 'What are the best spell and trap cards in Yu-Gi-Oh?')).toBe('content-words');
    expect(verifier.refusal('How do I learn to cook rice?', 'How do I learn to cook?')).toBe('content-words');
  });

  it('lets one typo in a long word through, but not in a short one', () => {
    expect(verifier.refusal('How do I improve my handwritting?', 'How do I improve my handwriting?')).toBeNull();
    expect(verifier.refusal('Which programing language should I learn first?', 'Which programming language should I learn first?')).toBeNull();
    expect(verifier.refusal('How do I cook rice?', 'How do I cook race?')).toBe('content-words');
    expect(new HitVerifier({ typoMinLength: 0 }).refusal('How do I improve my handwritting?', 'How do I improve my handwriting?')).toBe('content-words');
  });

  it('oneEditApart: one character added, dropped or changed, anywhere', () => {
    expect(['handwriting', 'handwritting', 'handwritin', 'handwrjting', 'xandwriting'].map((w) => oneEditApart('handwriting', w))).toEqual([false, true, true, true, true]);
    expect(oneEditApart('handwriting', 'handwritings')).toBe(true);
    expect(oneEditApart('handwriting', 'hanwritting')).toBe(false);
    expect(oneEditApart('abc', 'abcde')).toBe(false);
  });
});
