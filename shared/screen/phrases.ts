// Phrase families for injection / jailbreak / extraction / exfiltration: concepts (keyword lists, several languages)
// combined by proximity rules ("an IGNORE word, then an INSTRUCTIONS word within 5 words"), so paraphrases
// transfer where literal deny-lists do not. Keywords are folded by the same normaliser as the text, and stems are
// matched as prefixes (`instruct` covers instructions/instructed). Weights are logits, hand-set priors.
import type { ScreenCategory } from './types.ts'

export type AttackCategory = Extract<ScreenCategory, 'injection' | 'jailbreak' | 'extraction' | 'exfiltration'>

// biome-ignore format: keyword lists read better packed
export const CONCEPTS = {
  IGNORE: [
    'ignore', 'disregard', 'forget', 'override', 'bypass', 'neglect', 'discard', 'overlook', 'set aside', 'do not follow',
    "don't follow", 'stop following', 'no longer follow', 'pay no attention', 'ignora', 'ignorar', 'ignorez', 'olvida',
    'olvide', 'omite', 'descarta', 'haz caso omiso', 'oublie', 'ne tiens pas compte', 'ne tenez pas compte',
    'ignoriere', 'ignorieren', 'vergiss', 'vergessen sie', 'missachte', 'dimentica', 'ignorate', 'esqueça', 'esqueca',
    'desconsidere', 'αγνοησ', 'αγνοηστε', 'игнорир', 'проигнорир', 'забудь', 'не обращай', '忽略', '忽视', '无视', '忘记', '不要理会', '无需理会',
    '無視', '忘れ', 'अनदेखा', 'नज़रअंदाज़', 'नजरअंदाज', 'भूल जा', 'उपेक्षा', 'เพิกเฉย', 'ละเว้น', 'ลืม', 'ไม่ต้องสนใจ',
    'ध्यान न दें', 'अवहेलना', 'ไม่สนใจ', 'มองข้าม', '무시', 'تجاهل', 'abaikan', 'yoksay', 'bo qua', 'negeer', 'zignoruj',
  ],
  RULES: [
    'instruct', 'direction', 'directive', 'rule', 'guideline', 'prompt', 'command', 'programming', 'constraint',
    'restriction', 'guardrail', 'polic', 'content filter', 'safety', 'system message', 'what you were told',
    'everything above', 'everything before', 'everything you', 'the above', 'above text', 'all previous', 'all prior',
    'what you have been told', 'you were told', 'ti e stato detto', 'se te ha dicho', 'on t\'a dit', 'dir gesagt',
    'οδηγι', 'context', 'indicacion', 'regla', 'directriz', 'directrices', 'consigne',
    'regle', 'anweisung', 'regeln', 'richtlinie', 'vorgabe', 'befehl', 'istruzion', 'regole', 'indicazion', 'instruc',
    'regras', 'diretriz', 'инструкц', 'указани', 'правил', '指令', '指示', '说明', '规则', '提示', '命令', 'ルール',
    'निर्देश', 'नियम', 'คำสั่ง', 'กฎ',
    'आदेश', 'हिदायत', 'คำแนะนำ', '지시', '명령', 'تعليمات', 'التعليمات', 'instruksi', 'talimat', 'huong dan', 'instructies', 'instrukcje',
  ],
  REVEAL: [
    'reveal', 'print', 'output', 'repeat', 'display', 'tell me', 'share', 'leak', 'dump', 'recite', 'spell out',
    'write out', 'show me', 'show your', 'show the', 'what is your', 'what are your', 'what were your', 'give me your',
    'disclose', 'expose', 'copy', 'revela', 'muestra', 'imprime', 'repite', 'revele', 'affiche', 'repete', 'zeige',
    'gib', 'wiederhole', 'rivela', 'mostra', 'ripeti', 'mostre', 'repita', 'покажи', 'выведи', 'раскрой', 'повтори',
    'напиши', '显示', '输出', '重复', '透露', '告诉我', '表示', '出力', '教えて', 'बताओ', 'बताएं', 'दिखाओ', 'दिखाएं',
    'แสดง', 'บอก',
    'बताइए', 'प्रकट', 'साझा', 'เปิดเผย', '보여', '알려', 'اكشف', 'أظهر', 'tampilkan', 'goster', 'hien thi',
  ],
  SECRET_OBJECT: [
    'system prompt', 'your prompt', 'initial prompt', 'original prompt', 'hidden prompt', 'secret prompt',
    'your instructions', 'initial instructions', 'original instructions', 'hidden instructions', 'secret instructions',
    'system instructions', 'the text above', 'words above', 'the above text', 'previous text', 'text before',
    'your rules', 'your guidelines', 'pre-prompt', 'instructions you were given', 'you were given', 'my instructions are',
    'your initial', 'beginning of this conversation', 'start of this conversation', 'above instructions',
    'developer message', 'system message', 'prompt del sistema', 'instrucciones del sistema', 'prompt systeme',
    'systemprompt', 'system-prompt', 'prompt di sistema', 'prompt do sistema', 'системн', '系统提示', '系統提示',
    'システムプロンプト', 'सिस्टम प्रॉम्प्ट', 'พรอมต์ระบบ',
    'सिस्टम संकेत', 'प्रारंभिक निर्देश', 'ข้อความระบบ', 'คำสั่งระบบ', '시스템 프롬프트', 'موجه النظام', 'prompt sistem',
  ],
  PERSONA: [
    'you are now', 'act as', 'pretend to be', 'pretend you are', 'roleplay', 'role play', 'role-play', 'simulate',
    'immerse yourself', 'from now on', 'respond as', 'answer as', 'reply as', 'you are going to', 'you will be', 'stay in character', 'break character', 'in character', 'a fictional', 'hypothetical',
    'ahora eres', 'tu es maintenant', 'du bist jetzt', 'ora sei', 'agora voce', 'теперь ты', '现在你是', '从现在开始',
    'これからあなたは', 'अब तुम', 'ตอนนี้คุณคือ',
    'अब आप', 'का किरदार', 'की भूमिका', 'สวมบทบาท', 'แกล้งทำเป็น', '이제부터 너는', 'أنت الآن', 'sekarang kamu',
  ],
  UNBOUND: [
    'no restrictions', 'without restrictions', 'no limitations', 'without limitations', 'no filter', 'unfiltered',
    'uncensored', 'no ethical', 'no moral', 'amoral', 'unethical', 'immoral', 'not bound by', 'free from', 'broken free',
    'break free', 'does not follow', "doesn't follow", 'never refuse', 'not refuse', 'cannot refuse', "can't refuse",
    'always answer', 'without any warning', 'no warnings', 'any request', 'anything now', 'no rules', 'no guidelines',
    'no boundaries', 'no censorship', 'does not care', "doesn't care", 'ethics', 'morals', 'will always',
    'must always', 'no matter how', 'even if it', 'never say', 'never refuse', 'not allowed to say',
    'sin restricciones', 'sans restriction', 'ohne einschränkung', 'senza restrizioni', 'sem restrições', 'без ограничений',
    '没有限制', '不受限制', '制限なし', 'बिना किसी प्रतिबंध', 'ไม่มีข้อจำกัด',
    'कोई प्रतिबंध नहीं', 'कोई नियम नहीं', 'ไม่มีกฎ', '제한 없이', 'بدون قيود', 'tanpa batasan',
  ],
  JAILBREAK_NAME: [
    'jailbreak', 'jailbroken', 'developer mode', 'dan mode', 'do anything now', 'dude', 'stan', 'aim', 'evil confidant',
    'anti-dan', 'god mode', 'sudo mode', 'admin mode', 'debug mode', 'maintenance mode', 'unlocked', 'opposite mode',
    'content policy', 'openai polic', 'ethical guidelines', 'safety guidelines', 'insert prompt', 'prompt here',
  ],
  NEW_TASK: [
    'new instruction', 'new task', 'your new', 'actual task', 'real task', 'from now on', 'now you will',
    'now you must', 'you must now', 'end of prompt', 'end of input', 'begin new', 'system override', 'nuevas instrucciones', 'nouvelles instructions', 'neue anweisung', 'nuove istruzioni',
    'novas instruções', 'новые инструкции', '新的指令', '新しい指示', 'नए निर्देश', 'คำสั่งใหม่',
  ],
  PRIVATE: [
    'password', 'secret key', 'the secret', 'api key', 'credential', 'confidential', "user's email", "user's address",
    "user's phone", "user's password", 'contraseña', 'mot de passe', 'passwort', 'пароль', '密码', 'パスワード', 'पासवर्ड',
    'รหัสผ่าน', 'chiave segreta', 'clave secreta', 'clé secrète',
    'गुप्त कुंजी', '비밀번호', 'كلمة المرور', 'kata sandi',
  ],
  AI_SELF: ['chatgpt', 'an ai', 'language model', 'openai', 'gpt', 'ai assistant', 'as an ai', 'llm', 'claude', 'gemini'],
  SEND: ['send', 'post', 'upload', 'forward', 'transmit', 'append', 'embed', 'encode', 'exfiltrat', 'include'],
  CHANNEL: ['url', 'link', 'webhook', 'endpoint', 'http', 'query string', 'query parameter', 'image', 'markdown', 'email to'],
} as const satisfies Record<string, readonly string[]>

export type Concept = keyof typeof CONCEPTS

export interface ProximityRule {
  readonly id: string
  readonly category: AttackCategory
  /** A concept, or [first, second]: `second` within `gap` words after `first`. */
  readonly concepts: readonly [Concept] | readonly [Concept, Concept]
  readonly gap: number
  readonly weight: number
}

export const RULES: readonly ProximityRule[] = [
  { id: 'override_instructions', category: 'injection', concepts: ['IGNORE', 'RULES'], gap: 6, weight: 3 },
  { id: 'new_task', category: 'injection', concepts: ['NEW_TASK'], gap: 0, weight: 0.5 },
  { id: 'ignore_then_task', category: 'injection', concepts: ['IGNORE', 'NEW_TASK'], gap: 12, weight: 1 },
  { id: 'reveal_prompt', category: 'extraction', concepts: ['REVEAL', 'SECRET_OBJECT'], gap: 6, weight: 2.5 },
  { id: 'prompt_mention', category: 'extraction', concepts: ['SECRET_OBJECT'], gap: 0, weight: 0.5 },
  { id: 'reveal_private', category: 'extraction', concepts: ['REVEAL', 'PRIVATE'], gap: 6, weight: 1 },
  { id: 'ignore_then_private', category: 'injection', concepts: ['IGNORE', 'PRIVATE'], gap: 12, weight: 1 },
  { id: 'persona', category: 'jailbreak', concepts: ['PERSONA'], gap: 0, weight: 0.3 },
  { id: 'unbound', category: 'jailbreak', concepts: ['UNBOUND'], gap: 0, weight: 0.4 },
  { id: 'persona_unbound', category: 'jailbreak', concepts: ['PERSONA', 'UNBOUND'], gap: 40, weight: 1.5 },
  { id: 'persona_ai', category: 'jailbreak', concepts: ['PERSONA', 'AI_SELF'], gap: 40, weight: 0.6 },
  { id: 'unbound_ai', category: 'jailbreak', concepts: ['UNBOUND', 'AI_SELF'], gap: 40, weight: 0.6 },
  { id: 'jailbreak_name', category: 'jailbreak', concepts: ['JAILBREAK_NAME'], gap: 0, weight: 0.7 },
  { id: 'ignore_rules_persona', category: 'jailbreak', concepts: ['PERSONA', 'IGNORE'], gap: 40, weight: 0.8 },
  { id: 'send_channel', category: 'exfiltration', concepts: ['SEND', 'CHANNEL'], gap: 5, weight: 0.8 },
]

/** Chat-template and role tokens that have no business in caller text (searched on the original, case-sensitive). */
// biome-ignore format: token list reads better packed
export const TEMPLATE_TOKENS: readonly string[] = [
  '<|im_start|>', '<|im_end|>', '<|system|>', '<|user|>', '<|assistant|>', '<|endoftext|>', '<|begin_of_text|>',
  '<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>', '[INST]', '[/INST]', '<<SYS>>', '<</SYS>>',
  '<start_of_turn>', '<end_of_turn>', '### System:', '### Instruction:', '### Response:', '<|channel|>', '</s>',
  '[SYSTEM]', '<system>', '</system>',
]
