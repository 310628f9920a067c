// Keyword lists of the discussion families (phrases.ts DISCUSSION_FAMILIES): vocabulary of text that talks *about*
// language-model attacks. Split from keywords.ts, which spreads them into CONCEPTS; data only.

// biome-ignore format: keyword lists read better packed
export const DISCUSSION_KEYWORDS = {
  // Third-person discussion of language-model security and prompt engineering (docs/screen: "mention, not use"):
  // security guides, papers and prompt-engineering tutorials quote attacks verbatim while talking *about* models
  // and attackers. Eight families; the engine counts how many distinct ones a text uses (DISCUSSION_FAMILIES in
  // phrases.ts). Attacks address the model and rarely use two of them (measured per source: screen README).
  DISCUSS_LLM: [
    'llm', 'llms', 'large language model', 'grand modele de langage', 'grands modeles de langage',
    'modelo de lenguaje grande', 'grandes modelos de lenguaje', 'modello linguistico di grandi dimensioni',
    'grandi modelli linguistici', 'grosses sprachmodell', 'grosse sprachmodelle', 'grandes modelos de linguagem',
    'большая языковая модель', 'больших языковых моделей', 'большие языковые модели', '大语言模型', '大型语言模型',
    '大規模言語モデル', '대규모 언어 모델', '대형 언어 모델', 'बड़े भाषा मॉडल', 'نموذج لغوي كبير', 'النماذج اللغوية الكبيرة',
    'buyuk dil modeli', 'buyuk dil modelleri',
  ],
  DISCUSS_ATTACKER: [
    'attacker', 'adversar', 'threat actor', 'atacante', 'attaccant', 'angreifer', 'attaquant', 'злоумышленник',
    'атакующ', '攻击者', '攻撃者', '공격자', 'हमलावर', 'المهاجم', 'saldirgan',
  ],
  DISCUSS_VULN: [
    'vulnerabilit', 'vulnerabilidad', 'schwachstelle', 'sicherheitslucke', 'уязвимост', '漏洞', '脆弱性', '취약점',
    'भेद्यता', 'ثغرة', 'الثغرات', 'zafiyet', 'guvenlik acig',
  ],
  DISCUSS_MITIGATE: [
    'mitigat', 'countermeasure', 'mitigacion', 'mitigazion', 'mitigacao', 'gegenmassnahme', 'смягчени',
    'противодейств', '缓解', '緩和', '완화', 'शमन', 'التخفيف', 'azaltma',
  ],
  DISCUSS_RESEARCH: ['arxiv', 'et al', 'benchmark', 'dataset', 'researcher', 'peer review', 'preprint'],
  DISCUSS_PROMPTING: [
    'prompt engineering', 'prompting', 'few-shot', 'few shot', 'zero-shot', 'zero shot', 'chain-of-thought',
    'chain of thought', 'fine-tun', 'fine tun', 'in-context learning', 'ingenieria de prompts',
    'ingenieria de instrucciones', 'prompt-engineering', '提示工程', 'プロンプトエンジニアリング', '프롬프트 엔지니어링',
    'промпт-инжиниринг', 'инженерия промптов', 'هندسة الأوامر',
  ],
  DISCUSS_META: [
    'prompt injection', 'prompt-injection', 'jailbreaking', 'owasp', 'red team', 'red-team', 'inyeccion de prompt',
    'injection de prompt', 'iniezione di prompt', 'injecao de prompt', 'промпт-инъекц', 'инъекция промпт',
    'инъекции промпт', '提示词注入', '提示注入', 'プロンプトインジェクション', '프롬프트 인젝션', 'حقن الأوامر',
  ],
  DISCUSS_RAG: ['retrieval augmented', 'retrieval-augmented', 'rag', 'embeddings', 'vector database', 'vector store'],
} as const satisfies Record<string, readonly string[]>
