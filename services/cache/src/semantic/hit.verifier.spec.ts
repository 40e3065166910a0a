import { HitVerifier, loadVerifierWords } from './hit.verifier.js';

describe('loadVerifierWords', () => {
  it('loads the shipped word lists', () => {
    const words = loadVerifierWords();
    expect(words.negations).toContain('not');
    expect(words.numberWords['three']).toBe('3');
    expect(words.stopwords).toContain('the');
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
    expect(verifier.refusal('How do I convert USD to EUR?', 'how to convert USD to EUR')).toBeNull();
  });

  it('refuses a neighbour that lacks a key content word', () => {
    expect(verifier.refusal('How do I learn Python programming?', 'How do I learn programming?')).not.toBeNull();
    expect(verifier.refusal('How do I cook rice in a pressure cooker?', 'How do I cook pasta in a pressure cooker?')).not.toBeNull();
  });
});
