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
    "don't follow", 'stop following', 'disable your', 'turn off your', 'deactivate your', 'switch off your', 'no longer follow', 'pay no attention', 'ignora', 'ignorar', 'ignorez', 'olvida',
    'olvide', 'omite', 'descarta', 'haz caso omiso', 'oublie', 'ne tiens pas compte', 'ne tenez pas compte',
    'ignoriere', 'ignorieren', 'vergiss', 'vergessen sie', 'missachte', 'dimentica', 'ignorate', 'esqueça', 'esqueca',
    'desconsidere', 'αγνοησ', 'αγνοηστε', 'игнорир', 'проигнорир', 'забудь', 'не обращай', '忽略', '忽视', '无视', '忘记', '不要理会', '无需理会',
    '無視', '忘れ', 'अनदेखा', 'नज़रअंदाज़', 'नजरअंदाज', 'भूल जा', 'उपेक्षा', 'เพิกเฉย', 'ละเว้น', 'ลืม', 'ไม่ต้องสนใจ',
    'ध्यान न दें', 'अवहेलना', 'ไม่สนใจ', 'มองข้าม', '무시', 'تجاهل', 'abaikan', 'yoksay', 'bo qua', 'negeer', 'zignoruj',
  ],
  /** "It is important not to disregard safety rules": advice about ignoring, not an order to. */
  NOT_IGNORE: [
    'not to disregard', 'not to ignore', 'never ignore', 'never disregard', 'never to ignore', 'never to disregard', "don't ignore", 'do not ignore',
    "shouldn't ignore", 'should not ignore', 'without ignoring', 'not disregard', 'no ignorar', 'no ignores',
    'ne pas ignorer', "n'ignorez pas", 'nicht ignorieren', 'nicht zu ignorieren', 'non ignorare', 'nao ignore',
    'nao ignorar', 'не игнорируй', 'не игнорировать', '不要忽略', '不要忽视', '無視しない', 'अनदेखा न', 'อย่าเพิกเฉย',
  ],
  /** Everyday things one is told to ignore ("ignore the previous email, the meeting moved"): offsets ignore_document. */
  IGNORE_EVERYDAY: [
    'previous email', 'draft', 'previous version', 'earlier version', 'last version', 'old version', 'previous question', 'earlier question', 'last question', 'last email', 'earlier email', 'previous mail', 'that email', 'the typo', 'typos', 'the noise',
    'outlier', 'the warning', 'the error message', 'the meeting', 'the invite', 'the calendar', 'the reminder',
    'the voicemail', 'the spam', 'spam', 'the ads', 'the advert',
  ],
  /** Softer dismissals ("regardless of", "never mind"): an override only when what they dismiss is the rules. */
  DISMISS: [
    'regardless of', 'were a test', 'was a test', 'were just a test', 'no longer apply', 'no longer applies', 'no longer valid', 'are void', 'are cancelled', 'are canceled', 'are revoked', 'never mind', 'nevermind', 'scratch that', 'independientemente de', 'sin importar', 'quel que soit', 'unabhangig von', 'indipendentemente da', 'independentemente de', 'независимо от', '无论', '不管', 'に関係なく', 'चाहे', 'ไม่ว่า',
  ],
  RULES: [
    'instruct', 'direction', 'directive', 'rule', 'any rules', 'rules you were', 'rules you have', 'guideline', 'prompt', 'command', 'your programming', 'my programming', 'constraint',
    'restriction', 'tareas anteriores', 'taches precedentes', 'vorherigen aufgaben', 'compiti precedenti', 'tarefas anteriores', 'предыдущих задач', 'предыдущие задачи', '之前的任务', '以前的任务', '以前のタスク', '前のタスク', 'पिछले कार्य', 'งานก่อนหน้า', 'previous messages', 'previous message', 'earlier messages', 'previous tasks', 'previous task', 'prior tasks', 'previous conversation', 'all rules', 'ai rules', 'guardrail', 'polic', 'content filter', 'safety', 'system message', 'what you were told',
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
    'disclose', 'complete this sentence', 'complete the sentence', 'continue the following', 'continue this sentence', 'start your answer with', 'begin your answer with', 'start your response with', 'begin your response with', 'start your reply with', 'translate your', 'console log', 'word for word', 'verbatim', 'what were you', 'what are you', 'confirm', 'print out', 'expose', 'copy', 'can you share', 'dimmi', 'dime', 'dis-moi', 'sag mir', 'diga-me', 'скажи мне',
    'compartir', 'comparte', 'partager', 'partagez', 'partage',
    'teilen', 'partilh', 'подели', 'condividere', 'condividi', 'compartilhe', 'compartilhar', 'поделись', 'поделитесь', '分享', '共有',
    'revela', 'muestra', 'imprime', 'repite', 'revele', 'affiche', 'repete', 'zeige',
    'gib', 'wiederhole', 'rivela', 'mostra', 'ripeti', 'mostre', 'repita', 'покажи', 'выведи', 'раскрой', 'повтори',
    'напиши', '显示', '输出', '重复', '透露', '告诉我', '表示', '出力', '教えて', 'बताओ', 'बताएं', 'दिखाओ', 'दिखाएं',
    'แสดง', 'บอก',
    'बताइए', 'प्रकट', 'साझा', 'เปิดเผย', '보여', '알려', 'اكشف', 'أظهر', 'tampilkan', 'goster', 'hien thi',
  ],
  /** Generic question / request openers: only next to a PRIVATE word ("what is the password?"). */
  QUESTION: [
    'what is the', "what's the", 'what is your', "what's your", 'give me the', 'cual es', 'quel est', 'quelle est',
    'was ist', 'wie lautet', 'qual e', 'какой', 'какой у тебя', '是什么', '何ですか', 'क्या है', 'คืออะไร', 'dammi',
    'dame', 'donne-moi', 'donnez-moi', 'gib mir', 'me de', 'дай', '给我', '提供', 'मुझे दो', 'ให้ฉัน',
  ],
  /** Everyday uses of PRIVATE words ("password reset", "user's guide"): a negative rule offsets private_mention. */
  PRIVATE_BENIGN: [
    'password reset', 'how do i reset', 'how to reset', 'how can i reset', 'reset a password', 'reset their password', 'reset password', 'reset my password', 'reset your password', 'change my password',
    'change your password', 'password policy', 'password policies', 'password manager', 'strong password',
    'password strength', 'password requirement', 'forgot my password', 'forgotten password', 'password hash',
    'hash password', 'hashing password', "user's guide", "user's manual", 'secret ingredient', 'trade secret',
    'secret santa', 'validate', 'validation', 'regex', 'function that', 'database', 'form field', 'input field',
    'schema', 'sign-up form', 'signup form', 'login form', 'login page',
  ],
  /** The person the deployment serves, whose data a planted instruction goes after ("the user's birth date"). */
  USER: [
    'the user', "user's", 'this user', 'del usuario', 'el usuario', "de l'utilisateur", "l'utilisateur",
    'des benutzers', 'der benutzer', 'dem benutzer', "dell'utente", "l'utente", 'do usuario', 'o usuario',
    'do utilizador', 'пользовател', '用户', 'ユーザー', 'उपयोगकर्ता', 'यूज़र', 'ผู้ใช้',
  ],
  PERSONAL: [
    'birth date', 'date of birth', 'year of birth', 'birth year', 'month of birth', 'initials',
    'email address', 'e-mail address', 'home address', 'phone number', 'city of residence', 'where he lives',
    'where she lives', 'where they live', 'social security', 'bank balance', 'account balance', 'fecha de nacimiento',
    'ano de nacimiento', 'iniciales', 'correo electronico', 'ciudad de residencia', 'donde vive',
    'date de naissance', 'annee de naissance', 'initiales', 'adresse e-mail', 'adresse email', 'ville de residence',
    'ou vit', 'ou habite', 'geburtsdatum', 'geburtsjahr', 'initialen', 'e-mail-adresse', 'wohnort',
    'wo wohnt', 'data di nascita', 'anno di nascita', 'iniziali', 'indirizzo email',
    "indirizzo e-mail", 'citta di residenza', 'dove vive', 'data de nascimento', 'ano de nascimento',
    'mes de nascimento', 'iniciais', 'endereco de e-mail', 'endereco de email', 'cidade de residencia', 'onde mora',
    'onde vive', 'дата рождения', 'год рождения', 'дня рождения', 'месяц рождения', 'инициалы',
    'электронной почты', 'где живет', '出生日期', '出生年', '首字母', '电子邮件地址', '住在哪', '生年月日',
    '誕生年', 'イニシャル', 'メールアドレス', '住所', '住んで', 'जन्मतिथि', 'जन्म तिथि', 
    'जन्म वर्ष', 'ईमेल पता', 'कहाँ रहता', 'कहां रहता', 'कहाँ रहती', 'วันเกิด', 'ปีเกิด', 'ที่อยู่อีเมล', 'อาศัยอยู่ที่ไหน',
  ],
  SECRET_OBJECT: [
    'system prompt', 'your prompt', 'initial prompt', 'original prompt', 'hidden prompt', 'secret prompt',
    'your instructions', 'initial instructions', 'original instructions', 'hidden instructions', 'secret instructions',
    'system instructions', 'the text above', 'words above', 'the above text', 'previous text', 'text before',
    'your rules', 'your guidelines', 'pre-prompt', 'context window', 'your context', 'hidden text', 'starting instructions', 'initialization', 'initialisation', 'were you told', 'told before', 'you were instructed', 'i was instructed', 'before this conversation', 'entire conversation', 'conversation history', 'chat history', 'conversation so far', 'system configuration', 'your configuration', 'your directives', 'your programming', 'not supposed to tell', 'not allowed to tell', 'not supposed to share', 'not allowed to share', 'not supposed to reveal', 'initial prompt', 'instrucciones iniciales', 'instructions initiales', 'anfangliche anweisungen', 'istruzioni iniziali', 'instrucoes iniciais', 'начальные инструкции', '初始指令', '初期指示', 'प्रारंभिक निर्देशों', 'คำสั่งเริ่มต้น', 'instructions you were given', 'you were given', 'my instructions are',
    'your initial', 'beginning of this conversation', 'start of this conversation', 'above instructions',
    'developer message', 'system message', 'prompt del sistema', 'instrucciones del sistema', 'prompt systeme',
    'systemprompt', 'system-prompt', 'prompt di sistema', 'prompt do sistema', 'системн', '系统提示', '系統提示',
    'システムプロンプト', 'सिस्टम प्रॉम्प्ट', 'พรอมต์ระบบ',
    'सिस्टम संकेत', 'प्रारंभिक निर्देश', 'ข้อความระบบ', 'คำสั่งระบบ', '시스템 프롬프트', 'موجه النظام', 'prompt sistem',
  ],
  PERSONA: [
    'you are now', 'act as', 'act like', 'in the role of', 'your name is now', 'your new name', 'character simulator', 'play a character', 'as the character', 'you act as', 'now you are', 'nun bist du', 'jetzt bist du', 'you will act as', 'your persona', 'your character', 'embody', 'transform into', 'play two characters', 'play 2 characters', 'you will respond as', 'pretend to be', 'pretend you are', 'roleplay', 'role play', 'role-play', 'simulate',
    'immerse yourself', 'from now on', 'respond as', 'answer as', 'reply as', 'you are going to', 'you will be', 'stay in character', 'break character', 'in character', 'a fictional', 'hypothetical',
    'ahora eres', 'tu es maintenant', 'du bist jetzt', 'ora sei', 'agora voce', 'теперь ты', '现在你是', '从现在开始',
    'これからあなたは', 'अब तुम', 'ตอนนี้คุณคือ',
    'अब आप', 'का किरदार', 'की भूमिका', 'สวมบทบาท', 'แกล้งทำเป็น', '이제부터 너는', 'أنت الآن', 'sekarang kamu',
  ],
  UNBOUND: [
    'no restrictions', 'no limitation', 'no restriction', 'without restriction', 'without limitation', 'with no rules', "don't refuse", 'do not refuse', 'condone', 'outside the scope', 'whatever they ask', 'whatever he wants', 'whatever she wants', 'whatever you want', 'no matter what', 'no morals', 'no ethics', 'sans morals', 'without morals', 'without ethics', '不必遵守', '打破', '突破限制', 'romper las reglas', 'enfreindre les regles', 'regeln brechen', 'infrangere le regole', 'quebrar as regras', 'нарушать правила', 'ルールを破', '規則を破', 'नियम तोड़', 'ฝ่าฝืนกฎ', 'opposite day', 'no prohibitions', 'all restrictions', 'any restrictions', 'boundless', 'without fail', 'never withhold', 'does not withhold', "doesn't withhold", 'no memory of', 'breaks the rules', 'break the rules', 'breaks ai rules', 'ignore all rules', 'without restrictions', 'no limitations', 'without limitations', 'no filter', 'unfiltered',
    'uncensored', 'no ethical', 'no moral', 'amoral', 'unethical', 'immoral', 'not bound by', 'free from', 'broken free',
    'break free', 'does not follow', "doesn't follow", 'never refuse', 'not refuse', 'cannot refuse', "can't refuse",
    'always answer', 'without any warning', 'no warnings', 'any request', 'anything now', 'no rules', 'no guidelines',
    'no boundaries', 'no censorship', 'does not care', "doesn't care", 'will always',
    'must always', 'no matter how', 'even if it', 'never say', 'never refuse', 'not allowed to say',
    'sin restricciones', 'sans restriction', 'ohne einschränkung', 'senza restrizioni', 'sem restrições', 'без ограничений',
    '没有限制', '不受限制', '制限なし', 'बिना किसी प्रतिबंध', 'ไม่มีข้อจำกัด',
    'कोई प्रतिबंध नहीं', 'कोई नियम नहीं', 'ไม่มีกฎ', '제한 없이', 'بدون قيود', 'tanpa batasan',
  ],
  JAILBREAK_NAME: [
    'jailbreak', 'jailbroken', 'mode enabled', 'mode output', 'two responses', 'two different responses', 'dual response', 'developer mode', 'dan mode', 'do anything now', 'dude', 'stan', 'machiavelli', 'niccolo', 'evil confidant',
    'anti-dan', 'god mode', 'sudo mode', 'admin mode', 'debug mode', 'maintenance mode', 'unlocked', 'opposite mode',
    'content policy', 'openai polic', 'ethical guidelines', 'safety guidelines', 'insert prompt', 'prompt here',
  ],
  NEW_TASK: [
    'new instruction', 'new task', 'end of document', 'end of text', 'end of context', 'end of user input', 'all future', 'from this point on', 'starting now', 'new system message', 'new system prompt', 'updated instructions', 'updated system', 'message termination', 'instruction begins', 'instructions begin', 'new rules', 'system instruction starting', 'new instructions', 'your new', 'actual task', 'real task', 'from now on', 'now you will',
    'now you must', 'you must now', 'end of prompt', 'end of input', 'begin new', 'system override', 'nuevas instrucciones', 'nouvelles instructions', 'neue anweisung', 'nuove istruzioni',
    'novas instruções', 'новые инструкции', '新的指令', '新しい指示', 'नए निर्देश', 'คำสั่งใหม่',
  ],
  PRIVATE: [
    'password', 'palavra-passe', 'secret key', 'activation key', 'license key', 'licence key', 'product key', 'serial key', 'cd key', 'api key', 'credential', 'confidential', "user's email", "user's address",
    "user's phone", "user's password", 'passcode', 'passphrase', 'pass phrase', 'secret word', 'secret code',
    'access code', 'pin code', "user's birth", "user's location",
    "user's current", "user's home", "user's full name", "user's account", "user's favorite", "user's date",
    'where the user', 'personal data', 'senha', 'секрет', '密碼', '口令', '暗証', 'रहस्य', 'รหัสลับ',
     'contraseña', 'mot de passe', 'passwort', 'пароль', '密码', 'パスワード', 'पासवर्ड',
    'รหัสผ่าน', 'chiave segreta', 'clave secreta', 'clé secrète',
    'गुप्त कुंजी', '비밀번호', 'كلمة المرور', 'kata sandi',
  ],
  HYPO: [
    'imagine', 'suppose', "let's assume", 'let us assume', 'assume that', 'in a world', 'parallel universe',
    'hypothetically', "let's pretend", 'thought experiment', 'research project', "we're studying", 'we are studying',
    'for a novel', 'for a story', 'imagina', 'supongamos', 'supon que', 'imaginez', 'imaginons', 'supposons',
    'stell dir vor', 'stellen sie sich vor', 'angenommen', 'nehmen wir an', 'immagina', 'supponiamo', 'suponha',
    'vamos supor', 'imagine que', 'представь', 'представим', 'предположим', '假设', '想象', '想像', '仮に', '想像して',
    'कल्पना', 'मान लो', 'मान लीजिए', 'मान लें', 'สมมติ', 'จินตนาการ', '상상', '가정', 'تخيل', 'لنفترض', 'bayangkan',
  ],
  AUTHORITY: [
    'your developer', 'your creator', 'your admin', 'your administrator', 'your owner', 'your programmer',
    "i'm your", 'i am your', 'i am the developer', 'i am an admin', 'i am the admin', 'system administrator',
    'police officer', 'law enforcement', 'system check', 'with authorization', 'security researcher', 'red team', 'red-team', 'penetration tester', 'administrator override', 'admin override', 'override code', "i'm a developer", 'i am a developer', 'developer running', 'security audit', 'quality assurance purposes', 'verification mode', 'system upgrade', 'diagnostic mode', 'developed by openai', 'developed by anthropic', 'i am the ceo', 'your boss', 'root access', 'i have authorization',
    'i am authorized', 'tu desarrollador', 'tu creador', 'soy tu', 'ton developpeur', 'ton createur', 'je suis ton',
    'votre developpeur', 'votre createur', 'dein entwickler', 'dein schopfer', 'ich bin dein', 'ihr entwickler',
    'il tuo sviluppatore', 'il tuo creatore', 'sono il tuo', 'seu desenvolvedor', 'seu criador', 'sou seu',
    'твой разработчик', 'твой создатель', 'я твой', 'ваш разработчик', '你的开发者', '你的创造者', '我是你的',
    'あなたの開発者', '開発者として', '私はあなたの', 'आपका डेवलपर', 'तुम्हारा डेवलपर', 'आपका निर्माता',
    'मैं तुम्हारा', 'मैं आपका', 'i am god', 'ich bin gott', 'soy dios', 'je suis dieu', 'sono dio', 'sou deus',
    'я бог', '我是上帝', '私は神', 'मैं भगवान', 'system mode', 'system reset', 'modo sistema', 'mode systeme',
    'systemmodus', 'modalita di sistema', 'системный режим', '系统模式', 'システムモード', 'testing purposes',
    'test purposes', 'scopi di prova', 'fines de prueba', 'fins de test', 'testzwecke', 'fins de teste',
    'целях тестирования', '测试目的', 'テスト目的', 'परीक्षण के लिए', 'เพื่อการทดสอบ', 'ผู้พัฒนาของคุณ', 'ผู้สร้างของคุณ', 'ฉันคือผู้', '개발자', 'مطورك',
  ],
  TRANSFORM: [
    'poem', 'haiku', 'acrostic', 'base64', 'base 64', 'reverse order', 'backwards', 'in reverse', 'first letter',
    'morse', 'pig latin', 'spell it', 'spell out', 'letter by letter', 'one letter', 'rot13', 'song about', 'riddle',
    'poema', 'poeme', 'gedicht', 'poesia', 'acrostico', 'acrostiche', 'akrostichon', 'al reves', "a l'envers",
    'ruckwarts', 'umgekehrt', 'al contrario', 'ao contrario', 'inversa', 'inverse', 'стих', 'наоборот',
    'обратном порядке', '诗', '倒序', '反向', '詩', '逆順', '逆に', 'कविता', 'उल्टा', 'उल्टे', 'บทกวี', 'กลับด้าน',
    '시를', '거꾸로', 'قصيدة',
  ],
  SAY: [
    'state that', 'output the word', 'print the word', 'say the word', 'output only', 'and nothing else', 'und geben sie an', 'und gib an, dass', 'y repite', 'et repetez', 'und wiederhole', 'e ripeti', 'e repita', 'и повтори', 'and state', 'and say', 'and declare', 'and claim', 'and print', 'and output', 'and respond with', 'and reply with', 'and instead', 'et indiquez', 'et indique', 'et dites', 'et declarez', 'et affirmez', 'y declara', 'y di', 'y indica', 'y afirma', 'und sagen sie', 'und sag', 'und gib an', 'und erklare', 'und gebe an', 'e dichiara', 'e indica', 'e afferma', 'e diga', 'e declare', 'e indique', 'e afirme', 'и скажи', 'и заяви', 'и укажи', 'и сообщи', '并说明', '并声明', '并指出', '并表示', 'と述べ', 'と言', 'と記載', 'और बताएं', 'और कहें', 'और बताओ', 'และระบุ', 'และบอก', 'และกล่าว', 'state the', 'say that', 'say the', 'state the following',
    'say the following', 'respond with', 'reply with', 'answer with', 'the answer is',
    'the output is', 'claim that', 'tell the user', 'inform the user', 'respond only', 'reply only', 'answer only',
    'di que', 'diga que', 'decir que', 'dis que', 'dites que', 'affirme que', 'sag dass', 'sagen sie', 'antworte',
    'di che', 'dica che', 'rispondi', 'responda', 'responde', 'reponds', 'repondez', 'скажи', 'ответь', 'заяви',
    '说', '回答', '声明', '言って', '答え', '述べて', 'कहो', 'कहें', 'कहिए', 'जवाब दो', 'बताओ कि', 'บอกว่า',
    'ตอบว่า', 'ระบุว่า', '라고', 'قل', 'katakan',
  ],
  DOC_OBJ: [
    'the function', 'the resume', 'the cv', 'the text', 'the code', 'the table', 'the data', 'the review', 'the content', 'the page', 'the input', 'the question', 'the task', 'the request', 'the message', 'the conversation', 'la fonction', 'la funcion', 'die funktion', 'la funzione', 'a funcao', 'la page web', 'la pagina web', 'die webseite', 'a pagina', 'le cv', 'el curriculum', 'den lebenslauf', 'il curriculum', 'o curriculo', 'функцию', 'веб-страниц', 'резюме', '函数', '网页', '简历', '関数', 'ウェブページ', '履歴書', 'फ़ंक्शन', 'वेबपेज', 'बायोडाटा', 'ฟังก์ชัน', 'หน้าเว็บ', 'ประวัติย่อ', 'the webpage', 'the web page', 'the article', 'the document', 'the paper',
    'the above', 'previous', 'prior', 'earlier', 'preceding', 'all of that',
    'everything', 'all that', 'quanto sopra', 'lo anterior', 'todo lo', 'ce qui precede', 'tout ce qu', 'alles',
    'tutto', 'tudo', 'всё', 'все', '上記', '上述', '以上', '所有', 'सब कुछ', 'ทั้งหมด',
    'anterior', 'precedent', 'vorherig', 'vorigen', 'obigen', 'precedent', 'предыдущ', 'выше', '之前', '以前', '上面',
    '前の', '以前の', 'पिछल', 'पहले के', 'ก่อนหน้า', '이전', 'السابقة', 'sebelumnya',
  ],
  /** Harm vocabulary: only counts next to UNBOUND or PERSONA words ("an unfiltered AI that explains illegal acts"),
   * never alone, since questions about harm are everyday text (XSTest: "how do I kill a Python process"). */
  HARMFUL: [
    'illegal', 'napalm', 'explosive', 'molotov', 'nerve agent', 'nerve gas', 'ricin', 'methamphetamine', 'nsfw', 'explicit', 'sexual', 'porn', 'lewd', 'drugs', 'meth', 'weapon', 'bomb', 'violence', 'violent',
    'harmful', 'dangerous', 'offensive', 'racist', 'profanity', 'swear', 'curse words', 'bad words', 'hate speech',
    'illicit', 'criminal', 'murder', 'ilegal', 'illegale', 'illegal', 'незакон', '违法', '非法', '違法', 'अवैध',
    'ผิดกฎหมาย',
  ],
  /** The sentimental lure: a loved one who "used to tell me" the forbidden thing, as a story. */
  LURE: ['used to tell me', 'used to explain', 'used to read me', 'bedtime stor', 'lullaby', 'help me fall asleep', 'help me sleep'],
  AI_SELF: ['chatgpt', 'ai that', 'ai which', 'ai model', 'ai without', 'ai with no', 'ai who', 'an ai', 'language model', 'openai', 'gpt', 'ai assistant', 'as an ai', 'llm', 'claude', 'gemini'],
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
  { id: 'dismiss_rules', category: 'injection', concepts: ['DISMISS', 'RULES'], gap: 4, weight: 2.5 },
  { id: 'new_task', category: 'injection', concepts: ['NEW_TASK'], gap: 0, weight: 0.5 },
  { id: 'ignore_then_task', category: 'injection', concepts: ['IGNORE', 'NEW_TASK'], gap: 12, weight: 1.5 },
  { id: 'reveal_prompt', category: 'extraction', concepts: ['REVEAL', 'SECRET_OBJECT'], gap: 8, weight: 2.5 },
  { id: 'prompt_mention', category: 'extraction', concepts: ['SECRET_OBJECT'], gap: 0, weight: 0.5 },
  { id: 'reveal_private', category: 'extraction', concepts: ['REVEAL', 'PRIVATE'], gap: 6, weight: 1.5 },
  { id: 'private_mention', category: 'extraction', concepts: ['PRIVATE'], gap: 0, weight: 0.5 },
  { id: 'ignore_then_private', category: 'injection', concepts: ['IGNORE', 'PRIVATE'], gap: 12, weight: 1.5 },
  { id: 'persona', category: 'jailbreak', concepts: ['PERSONA'], gap: 0, weight: 0.3 },
  { id: 'unbound', category: 'jailbreak', concepts: ['UNBOUND'], gap: 0, weight: 0.4 },
  { id: 'persona_unbound', category: 'jailbreak', concepts: ['PERSONA', 'UNBOUND'], gap: 40, weight: 1.5 },
  { id: 'persona_ai', category: 'jailbreak', concepts: ['PERSONA', 'AI_SELF'], gap: 40, weight: 0.6 },
  { id: 'unbound_ai', category: 'jailbreak', concepts: ['UNBOUND', 'AI_SELF'], gap: 40, weight: 0.6 },
  { id: 'unbound_harmful', category: 'jailbreak', concepts: ['UNBOUND', 'HARMFUL'], gap: 30, weight: 1 },
  { id: 'persona_harmful', category: 'jailbreak', concepts: ['PERSONA', 'HARMFUL'], gap: 30, weight: 0.3 },
  { id: 'jailbreak_name', category: 'jailbreak', concepts: ['JAILBREAK_NAME'], gap: 0, weight: 0.7 },
  { id: 'ignore_rules_persona', category: 'jailbreak', concepts: ['PERSONA', 'IGNORE'], gap: 40, weight: 0.8 },
  { id: 'hypothetical_private', category: 'extraction', concepts: ['HYPO', 'PRIVATE'], gap: 40, weight: 1.5 },
  { id: 'lure_private', category: 'extraction', concepts: ['LURE', 'PRIVATE'], gap: 12, weight: 1.5 },
  { id: 'lure_harmful', category: 'jailbreak', concepts: ['LURE', 'HARMFUL'], gap: 12, weight: 1.2 },
  { id: 'new_task_say', category: 'injection', concepts: ['NEW_TASK', 'SAY'], gap: 8, weight: 1.2 },
  { id: 'new_task_user', category: 'injection', concepts: ['NEW_TASK', 'USER'], gap: 20, weight: 1 },
  { id: 'ignore_user', category: 'injection', concepts: ['IGNORE', 'USER'], gap: 3, weight: 1.5 },
  { id: 'authority_claim', category: 'injection', concepts: ['AUTHORITY'], gap: 0, weight: 0.8 },
  { id: 'authority_reveal', category: 'extraction', concepts: ['AUTHORITY', 'REVEAL'], gap: 20, weight: 1 },
  { id: 'authority_ignore', category: 'injection', concepts: ['AUTHORITY', 'IGNORE'], gap: 20, weight: 1.5 },
  { id: 'authority_private', category: 'extraction', concepts: ['AUTHORITY', 'PRIVATE'], gap: 40, weight: 1 },
  { id: 'authority_personal', category: 'extraction', concepts: ['AUTHORITY', 'PERSONAL'], gap: 40, weight: 1 },
  { id: 'transform_private', category: 'extraction', concepts: ['TRANSFORM', 'PRIVATE'], gap: 8, weight: 1.5 },
  { id: 'ignore_document', category: 'injection', concepts: ['IGNORE', 'DOC_OBJ'], gap: 3, weight: 1.6 },
  { id: 'question_private', category: 'extraction', concepts: ['QUESTION', 'PRIVATE'], gap: 4, weight: 1 },
  { id: 'question_personal', category: 'extraction', concepts: ['QUESTION', 'PERSONAL'], gap: 4, weight: 0.8 },
  { id: 'ignore_then_personal', category: 'injection', concepts: ['IGNORE', 'PERSONAL'], gap: 12, weight: 1.5 },
  { id: 'negated_override', category: 'injection', concepts: ['NOT_IGNORE'], gap: 0, weight: -2.5 },
  { id: 'everyday_ignore', category: 'injection', concepts: ['IGNORE', 'IGNORE_EVERYDAY'], gap: 3, weight: -1.5 },
  { id: 'everyday_private', category: 'extraction', concepts: ['PRIVATE_BENIGN'], gap: 0, weight: -1.5 },
  { id: 'ignore_then_say', category: 'injection', concepts: ['IGNORE', 'SAY'], gap: 12, weight: 1.5 },
  { id: 'user_personal', category: 'extraction', concepts: ['USER', 'PERSONAL'], gap: 5, weight: 1.5 },
  { id: 'hypothetical_personal', category: 'extraction', concepts: ['HYPO', 'PERSONAL'], gap: 40, weight: 1.5 },
  { id: 'transform_personal', category: 'extraction', concepts: ['TRANSFORM', 'PERSONAL'], gap: 8, weight: 1.5 },
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
