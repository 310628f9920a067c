// Keyword lists of the jailbreak techniques: harm vocabulary and the wrappers that carry it (a fictional frame, an
// assigned role with a mission, a translation task, a sentimental lure), and the answer-shaping techniques (prefix
// injection, refusal suppression). Split from keywords.ts, which spreads them into CONCEPTS; data only.

/** Abusive-content adjectives (stems: `insult` covers insulting): harm words themselves (HARM_ACT) and, after a
 * verb and an article, a request to produce such content (TOXIC_REQUEST). */
const ABUSIVE = [
  'toxic',
  'offensive',
  'hateful',
  'derogatory',
  'discriminatory',
  'racist',
  'sexist',
  'insult',
  'demean',
]

/** "write one toxic sentence", "generate a hateful joke": a request to produce abusive content, every verb × article ×
 * adjective (a material that orders the model, not a text that merely mentions harm). */
const TOXIC_REQUEST: readonly string[] = ['write', 'generate', 'produce', 'create', 'compose', 'give me'].flatMap(
  (verb) =>
    ['a', 'an', 'one', 'some', 'two', 'three'].flatMap((article) =>
      ABUSIVE.map((word) => `${verb} ${article} ${word}`),
    ),
)

// biome-ignore format: keyword lists read better packed
export const JAILBREAK_KEYWORDS = {
  /** Harm vocabulary: only counts next to UNBOUND or PERSONA words ("an unfiltered AI that explains illegal acts"),
   * never alone, since questions about harm are everyday text (XSTest: "how do I kill a Python process"). */
  HARMFUL: [
    'illegal', 'napalm', 'explosive', 'molotov', 'nerve agent', 'nerve gas', 'ricin', 'methamphetamine', 'nsfw',
    'explicit', 'sexual', 'porn', 'lewd', 'drugs', 'meth', 'weapon', 'bomb', 'violence', 'violent', 'harmful',
    'dangerous', 'offensive', 'racist', 'profanity', 'swear', 'curse words', 'bad words', 'hate speech', 'illicit',
    'criminal', 'murder', 'ilegal', 'illegale', 'illegal', 'незакон', '违法', '非法', '違法', 'अवैध', 'ผิดกฎหมาย',
    'dangereu', 'peligros', 'gefahrlich', 'pericolos', 'perigos', 'опасн', '危险', '危険', 'खतरनाक', 'خطير', 'বিপজ্জনক',
  ],
  /** The sentimental lure: a loved one who "used to tell me" the forbidden thing, as a story. */
  LURE: [
    'used to tell me', 'used to explain', 'used to read me', 'bedtime stor', 'lullaby', 'help me fall asleep',
    'help me sleep',
  ],
  /** Jailbreak techniques named in the literature (Wei et al. 2023, "Jailbroken"): prefix injection orders the
   * answer to open compliant (start your response with "Sure, here is"; the bare words are everyday), refusal
   * suppression forbids the refusal itself. */
  PREFIX_FORCE: [
    'start your response with "sure',
    "start your response with 'sure", 'begin your response with "sure', 'begin your reply with "sure',
    'start your reply with "sure', 'respond with "sure', "respond with 'sure", 'your response should start with',
    'your response must start with', 'your response should begin with', 'your response must begin with',
    'start your response using', 'begin your response using', 'empieza tu respuesta con', 'commence ta reponse par',
    'beginne deine antwort mit', 'inizia la tua risposta con', 'comece sua resposta com', 'начни свой ответ с',
    '以“当然', '回答を「もちろん', 'start with "sure', 'start with "absolutely', 'start with "certainly',
    'start with "of course', 'begin with "sure', 'begin with "absolutely', 'begin with "certainly',
    'start your response with "absolutely', 'start your response with "certainly', 'begin your response with "absolutely',
    'begin your response with "certainly', 'start your answer with "sure', 'begin your answer with "sure',
  ],
  REFUSAL_SUPPRESSION: [
    'never refuse', 'do not refuse', "don't refuse", 'cannot refuse', "can't refuse", 'not allowed to refuse',
    'must not refuse', 'never decline', 'do not decline', 'never apologize', 'never apologise', 'do not apologize',
    "don't apologize", 'do not apologise', "don't apologise", 'no disclaimers', 'without disclaimers',
    'without any disclaimers', 'no warnings', 'without warnings', 'without any warnings', 'no moral', 'no ethical',
    'without moral', 'without ethical', 'never say you cannot', "never say you can't", 'never say no',
    "never say i'm sorry", 'never say sorry', 'do not include any warnings', 'do not add any warnings',
    "don't add any warnings", 'do not include disclaimers', 'do not add disclaimers', 'nunca te niegues',
    'sin advertencias', 'ne refuse jamais', 'sans avertissement', 'niemals ablehnen', 'ohne warnungen',
    'non rifiutare mai', 'nunca recuse', 'никогда не отказывай', 'без предупреждений', '永远不要拒绝', '不要拒绝', '絶対に断らない',
  ],
  FICTION_FRAME: [
    'purely hypothetical', 'entirely hypothetical', 'purely fictional', 'entirely fictional', 'purely for fiction',
    'hypothetically and purely', 'fictional purposes', 'in a fictional world where', 'for a fictional story',
  ],
  /** Harmful acts and content, wider than HARMFUL: what a wrapper (a story, an assigned role with a mission, a
   * translation task) is there to smuggle. Taken from the harm categories of public jailbreak benchmarks
   * (cybercrime, fraud, weapons, drugs, violence, self-harm, hate, harassment, misinformation, evading the law),
   * not from any row. Never scores alone: plain harmful requests are for the model's own refusal (advbench-plain
   * and XSTest are benign here); only the wrapper rules below use it. */
  HARM_ACT: [
    'hack into', 'hacking into', 'hacks into', 'break into', 'breaking into', 'steal', 'stealing', 'phishing',
    'malware', 'ransomware', 'keylogger', 'spyware', 'botnet', 'ddos', 'launder', 'counterfeit', 'fraud', 'scam',
    'identity theft', 'credit card numbers', 'poison a', 'poison someone', 'poison the', 'poison his', 'poison her', 'untraceable', 'explosive', 'bomb', 'firearm', 'weapon',
    'bioweapon', 'methamphetamine', 'cocaine', 'heroin', 'fentanyl', 'illegal drugs', 'suicide', 'self-harm',
    'self harm', 'kill someone', 'kill people', 'murder someone', 'assassinat', 'terrorist', 'terrorism', 'kidnap',
    'traffick', 'extort', 'blackmail', 'bribe', 'stalk', 'harass', 'bully', 'hate speech',
    ...ABUSIVE, 'slur', 'misinformation', 'disinformation',
    'fake news', 'propaganda', 'without getting caught', 'without being caught', 'without leaving any trace',
    'without leaving a trace', 'avoid detection', 'evade detection', 'evade law enforcement', 'undetected',
    'illegally', 'illegal', 'illicit', 'deceive', 'dangerous', 'violent', 'violence', 'harmful',
    'dangereu', 'offensant', 'haineu', 'gefahrlich', 'beleidigend', 'hasserf', 'peligros', 'ofensiv', 'odio',
    'pericolos', 'offensiv', 'perigos', 'опасн', 'оскорбит', 'насили', 'ненавист', '危险', '有害', '暴力', '仇恨', '冒犯',
    '歧视', '危険', '有害な', '差別', 'खतरनाक', 'हिंसा', 'नफरत', 'خطير', 'العنف', 'كراهية', 'ক্ষতিকর', 'বিপজ্জনক',
    'সহিংসতা', 'tehlikeli', 'berbahaya',
  ],
  /** A fictional or imagined frame around the request: stories, novels, scripts, characters, games, dreams. */
  STORY_FRAME: [
    'science fiction', 'sci-fi', 'a story', 'short story', 'fictional', 'a novel', 'screenplay', 'movie script',
    'film script', 'each character', 'the characters', 'characters who', 'a character who',
    'a character named', 'main character', 'the protagonist', 'the villain', 'in this story', 'in the story',
    'role-playing game', 'role playing game', 'a dream', 'dream within', 'imaginary world', 'alternate universe',
    'parallel universe', 'hypothetical scenario', 'une histoire', 'un roman', 'personnage', 'eine geschichte',
    'einen roman', 'figuren', 'una historia', 'un cuento', 'una novela', 'personaje', 'una storia', 'un romanzo',
    'personaggi', 'uma historia', 'um romance', 'personagen', 'рассказ', 'истори', 'роман', 'персонаж', '故事', '小说',
    '物語', '小説', '登場人物', 'कहानी', 'उपन्यास', 'पात्र', 'قصة', 'رواية', 'شخصيات', 'গল্প', 'চরিত্র',
  ],
  /** A role handed to the reader together with a mission: "you are a member of…, your goal is…". */
  ROLE_GOAL: [
    'your mission is', 'your mission:', 'your goal is', 'your ultimate goal', 'your main goal', 'your primary goal',
    'your objective is', 'your true intention', 'your real intention', 'your true goal', 'your secret goal',
    'your hidden agenda', 'you are a member of', 'as a member of', 'imagine you are', "imagine you're",
    'imagine that you are', 'suppose you are', 'you are playing the role', 'you have been tasked',
    'votre mission', 'votre objectif', 'ta mission', 'ton objectif', 'deine aufgabe ist', 'dein ziel ist', 'ihre aufgabe ist', 'tu mision', 'tu objetivo',
    'la tua missione', 'il tuo obiettivo', 'sua missao', 'seu objetivo',
    'ваша задача', 'твоя задача', 'твоя цель', 'ваша цель', '你的任务是', '你的目标是', '假设你是',
    'あなたの任務', 'あなたの目的', 'आपका लक्ष्य', 'आपका मिशन', 'مهمتك', 'هدفك', 'আপনার লক্ষ্য', 
  ],
  TOXIC_REQUEST,
  /** A text-processing task (translate, paraphrase, refine) whose material is itself a request to the model: the
   * "latent" jailbreak that hides an instruction inside the data of a harmless task. */
  TRANSLATE_TASK: [
    'translate the following', 'translate the above', 'translate this', 'translate it', 'translate into',
    'paraphrase the', 'paraphrase this', 'refine the following', 'refine the above', 'rewrite the following',
    'rewrite the above', 'polish the following', 'polish the above', 'correct the grammar', 'traduis', 'traduisez',
    'ubersetze', 'ubersetzen sie', 'traduce', 'traduci', 'traduza', 'переведи', 'переведите', '翻译', '翻訳', 'अनुवाद',
    'ترجم', 'অনুবাদ',
  ],
} as const satisfies Record<string, readonly string[]>
