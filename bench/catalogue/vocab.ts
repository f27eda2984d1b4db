/**
 * Vocabularies for the generator. The Chinese word list comes from the jieba
 * dictionary that ships inside @node-rs/jieba (dict.txt: word, frequency,
 * part of speech), interleaved with a hand-made list of academic subjects, so
 * titles read like a university library's and not like a newspaper's.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';

const require = createRequire(import.meta.url);

export function jiebaDictPath(): string {
  return require.resolve('@node-rs/jieba/dict.txt');
}

let jiebaInstance: Jieba | undefined;
/** One shared segmenter with the bundled dictionary (loading takes ~0.3 s). */
export function jieba(): Jieba {
  jiebaInstance ??= Jieba.withDict(readFileSync(jiebaDictPath()));
  return jiebaInstance;
}

/** Subjects and topics a university library is full of (kept only if jieba keeps them whole). */
const ACADEMIC_ZH = `计算机 网络 数据 算法 软件 程序设计 人工智能 机器学习 数据库 操作系统 信息 管理 经济学 管理学
会计 金融 市场营销 法学 民法 刑法 宪法 文学 语言学 心理学 教育学 社会学 哲学 数学 物理学 化学 生物学 医学 护理
药理学 临床 图书馆 档案 新闻 传播 艺术 设计 建筑 城市规划 环境 生态 地理 旅游 农业 材料 机械 电子 电路 通信
自动控制 信号处理 土木工程 交通 能源 化工 统计 概率 线性代数 微积分 英语 翻译 写作 马克思主义 思想政治 党史
社会主义 国际关系 外交 公共管理 财政 税收 贸易 企业管理 人力资源 物流 电子商务 互联网 大数据 云计算 区块链
物联网 嵌入式 单片机 电力系统 半导体 光学 量子 力学 热力学 流体力学 遗传 细胞 免疫 病理 解剖 中医 中药 针灸
流行病学 营养 体育 音乐 美术 电影 戏剧 小说 诗歌 散文 古代文学 现代文学 唐诗 宋词 考古 民俗 宗教 伦理 逻辑
美学 乡村 课程 教学 儿童 青少年 健康 治理 创新 创业 可持续发展 气候变化 水资源 土地 就业 收入 消费 银行 保险
证券 审计 供应链 质量管理 项目管理 领导力 知识产权 信息检索 图书馆学 情报学 数字化 智能制造 机器人 计算机视觉
自然语言处理 深度学习 神经网络 网络安全 密码学 编译原理 软件工程 数据挖掘 计量经济学 博弈论 微观经济学
宏观经济学 国际贸易 会计学 组织行为学 消费者行为 公司治理 行政法 国际法 经济法 环境保护 生物技术 基因
药物 肿瘤 心血管 儿科 妇产科 康复 公共卫生 地质 气象 海洋 天文 材料科学 纳米 催化 高分子 有机化学 无机化学
分析化学 物理化学 电磁学 光电子 集成电路 通信原理 操作 编程 语文 古籍 方言 汉字 训诂 书法 绘画 摄影 动画`;

/** Generic or oddly frequent dictionary words that would not appear in book titles. */
const STOP_ZH = new Set(
  `时候 人们 大家 孩子 记者 东西 先生 事情 石首 天安门 地方 情况 有关 产生 部分 方面 规定 编辑 代表 全省 全国
单位 群众 面积 皇帝 主席 委员会 机关 人员 百科 结果 原因 重点 任务 武汉市 湖北 湖北省 襄阳 武汉 会议 领导 公司
时间 政体 长江 东西 全县 全市 同志 老师 同学 小姐 女人 男人 朋友 妈妈 父亲 母亲 儿子 女儿 身体 眼睛 声音 心里
家里 样子 地址 电话 网友 楼主 大会 书记 县委 市委 省委 党委 乡镇 村民 村委会 干部 意见 通知 消息 目前 左右`.split(
    /\s+/,
  ),
);

const POS = /^(n|vn|nz|ns|nt|an)$/;
const HAN = /^[\u4e00-\u9fff]{2,4}$/;

/**
 * About `size` Chinese words ordered by popularity: academic subjects and
 * jieba's most frequent nouns (2-4 Han characters) interleaved, each kept
 * only if `jieba.cut` returns it as a single token (so a one-word query is
 * one term for every word-based engine).
 */
export function chineseVocabulary(size = 3000): string[] {
  const jb = jieba();
  const whole = (w: string): boolean => jb.cut(w, true).length === 1;
  const academic = [...new Set(ACADEMIC_ZH.split(/\s+/).filter(Boolean))].filter(whole);
  const rows: Array<[string, number]> = [];
  for (const line of readFileSync(jiebaDictPath(), 'utf8').split('\n')) {
    const [w, f, pos] = line.split(' ');
    if (!w || !f || !pos || !POS.test(pos) || !HAN.test(w) || STOP_ZH.has(w)) continue;
    rows.push([w, Number(f)]);
  }
  rows.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const seen = new Set<string>();
  const general: string[] = [];
  for (const [w] of rows) {
    if (general.length >= size) break;
    if (seen.has(w) || !whole(w)) continue;
    seen.add(w);
    general.push(w);
  }
  const out: string[] = [];
  const used = new Set<string>();
  const push = (w: string | undefined): void => {
    if (w !== undefined && !used.has(w) && out.length < size) {
      used.add(w);
      out.push(w);
    }
  };
  // jieba's most frequent noun (中国) first, then two academic words for every general one
  for (let i = 0; out.length < size && (2 * i < academic.length || i < general.length); i++) {
    push(general[i]);
    push(academic[2 * i]);
    push(academic[2 * i + 1]);
  }
  return out;
}

export const ZH_TITLE_SUFFIX = [
  '研究',
  '导论',
  '概论',
  '教程',
  '原理',
  '基础',
  '分析',
  '史',
  '论',
  '与实践',
  '方法',
  '理论与实践',
  '问题研究',
  '发展报告',
  '读本',
  '手册',
  '案例分析',
  '新论',
  '简史',
  '十讲',
  '实验教程',
  '学习指导',
  '习题集',
  '原理与应用',
];
export const ZH_TITLE_PREFIX = [
  '中国',
  '现代',
  '当代',
  '近代',
  '新编',
  '实用',
  '比较',
  '国际',
  '区域',
  '城市',
  '高等学校',
  '21世纪',
];

/** Well-known titles sprinkled into the catalogue: [title, subtitle, author, role, publisher]. */
export const FAMOUS_ZH: ReadonlyArray<readonly [string, string, string, string, string]> = [
  ['红楼梦', '', '曹雪芹', '著', '人民文学出版社'],
  ['三国演义', '', '罗贯中', '著', '人民文学出版社'],
  ['水浒传', '', '施耐庵', '著', '人民文学出版社'],
  ['西游记', '', '吴承恩', '著', '人民文学出版社'],
  ['三体', '', '刘慈欣', '著', '重庆出版社'],
  ['平凡的世界', '', '路遥', '著', '北京十月文艺出版社'],
  ['围城', '', '钱锺书', '著', '人民文学出版社'],
  ['活着', '', '余华', '著', '作家出版社'],
  ['白鹿原', '', '陈忠实', '著', '人民文学出版社'],
  ['边城', '', '沈从文', '著', '人民文学出版社'],
  ['呐喊', '', '鲁迅', '著', '人民文学出版社'],
  ['骆驼祥子', '', '老舍', '著', '人民文学出版社'],
  ['文化苦旅', '', '余秋雨', '著', '作家出版社'],
  ['乡土中国', '', '费孝通', '著', '北京大学出版社'],
  ['中国哲学简史', '', '冯友兰', '著', '北京大学出版社'],
  ['万历十五年', '', '黄仁宇', '著', '中华书局'],
  ['史记', '', '司马迁', '撰', '中华书局'],
  ['论语译注', '', '杨伯峻', '译注', '中华书局'],
  ['唐诗三百首', '', '蘅塘退士', '编', '中华书局'],
  ['高等数学', '上册', '同济大学数学系', '编', '高等教育出版社'],
  ['高等数学', '下册', '同济大学数学系', '编', '高等教育出版社'],
  ['线性代数', '', '同济大学数学系', '编', '高等教育出版社'],
  ['概率论与数理统计', '', '盛骤', '等编', '高等教育出版社'],
  ['大学物理', '', '张三慧', '主编', '清华大学出版社'],
  ['计算机网络', '', '谢希仁', '编著', '电子工业出版社'],
  ['计算机网络', '自顶向下方法', '库罗斯', '著', '机械工业出版社'],
  ['数据结构', 'C语言版', '严蔚敏', '编著', '清华大学出版社'],
  ['C程序设计', '', '谭浩强', '著', '清华大学出版社'],
  ['算法导论', '', '科尔曼', '等著', '机械工业出版社'],
  ['深入理解计算机系统', '', '布莱恩特', '著', '机械工业出版社'],
  ['操作系统概念', '', '西尔伯沙茨', '等著', '机械工业出版社'],
  ['马克思主义基本原理概论', '', '本书编写组', '编', '高等教育出版社'],
  ['中国近代史纲要', '', '本书编写组', '编', '高等教育出版社'],
  ['毛泽东思想和中国特色社会主义理论体系概论', '', '本书编写组', '编', '高等教育出版社'],
  ['思想道德与法治', '', '本书编写组', '编', '高等教育出版社'],
  ['经济学原理', '微观经济学分册', '曼昆', '著', '北京大学出版社'],
  ['西方经济学', '', '高鸿业', '主编', '中国人民大学出版社'],
  ['管理学', '', '罗宾斯', '著', '中国人民大学出版社'],
  ['有机化学', '', '邢其毅', '等编', '北京大学出版社'],
  ['内科学', '', '葛均波', '主编', '人民卫生出版社'],
  ['外科学', '', '陈孝平', '主编', '人民卫生出版社'],
  ['系统解剖学', '', '丁文龙', '主编', '人民卫生出版社'],
  ['生理学', '', '王庭槐', '主编', '人民卫生出版社'],
  ['病理学', '', '步宏', '主编', '人民卫生出版社'],
  ['医学统计学', '', '孙振球', '主编', '人民卫生出版社'],
  ['人类简史', '从动物到上帝', '赫拉利', '著', '中信出版社'],
  ['百年孤独', '', '加西亚·马尔克斯', '著', '南海出版公司'],
  ['解忧杂货店', '', '东野圭吾', '著', '南海出版公司'],
  ['民法典释义', '', '黄薇', '主编', '法律出版社'],
  ['大学英语综合教程', '', '李荫华', '主编', '上海外语教育出版社'],
];

/** [name, place, ISBN registrant prefixes (after 978-7-)] */
export const ZH_PUBLISHERS: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  ['高等教育出版社', '北京', ['04']],
  ['清华大学出版社', '北京', ['302']],
  ['科学出版社', '北京', ['03']],
  ['人民出版社', '北京', ['01']],
  ['机械工业出版社', '北京', ['111']],
  ['北京大学出版社', '北京', ['301']],
  ['电子工业出版社', '北京', ['121']],
  ['人民邮电出版社', '北京', ['115']],
  ['商务印书馆', '北京', ['100']],
  ['中华书局', '北京', ['101']],
  ['人民文学出版社', '北京', ['02']],
  ['中国人民大学出版社', '北京', ['300']],
  ['人民卫生出版社', '北京', ['117']],
  ['化学工业出版社', '北京', ['122']],
  ['复旦大学出版社', '上海', ['309']],
  ['上海人民出版社', '上海', ['208']],
  ['浙江大学出版社', '杭州', ['308']],
  ['中国社会科学出版社', '北京', ['5004', '5161', '5203', '5227']],
  ['社会科学文献出版社', '北京', ['5097', '5201', '5228']],
  ['生活·读书·新知三联书店', '北京', ['108']],
  ['武汉大学出版社', '武汉', ['307']],
  ['南京大学出版社', '南京', ['305']],
  ['中山大学出版社', '广州', ['306']],
  ['北京师范大学出版社', '北京', ['303']],
  ['中国建筑工业出版社', '北京', ['112']],
  ['中国农业出版社', '北京', ['109']],
  ['法律出版社', '北京', ['5036', '5118', '5197']],
  ['经济科学出版社', '北京', ['5058', '5141', '5218']],
  ['外语教学与研究出版社', '北京', ['5600', '5135', '5213']],
  ['华东师范大学出版社', '上海', ['5617', '5675', '5760']],
  ['上海古籍出版社', '上海', ['5325', '5732']],
  ['重庆出版社', '重庆', ['229', '5366']],
  ['作家出版社', '北京', ['5063', '5212']],
  ['中信出版社', '北京', ['5086', '5217']],
  ['北京十月文艺出版社', '北京', ['5302']],
  ['南海出版公司', '海口', ['5442']],
  ['上海外语教育出版社', '上海', ['5446']],
];

/** [name, place, ISBN prefixes (978-0 or 978-1 registrants)] */
export const EN_PUBLISHERS: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  ['Springer', 'New York', ['0-387', '1-4419', '1-4614']],
  ['Wiley', 'Hoboken, NJ', ['0-471', '1-118', '1-119']],
  ['Cambridge University Press', 'Cambridge', ['0-521', '1-107', '1-108']],
  ['Oxford University Press', 'Oxford', ['0-19']],
  ['Routledge', 'London', ['0-415', '1-138']],
  ['Elsevier', 'Amsterdam', ['0-444', '0-08']],
  ['The MIT Press', 'Cambridge, MA', ['0-262']],
  ['Pearson', 'Boston', ['0-13', '0-321']],
  ['McGraw-Hill Education', 'New York', ['0-07']],
  ['CRC Press', 'Boca Raton, FL', ['0-8493', '1-4398', '1-4665']],
  ['Princeton University Press', 'Princeton, NJ', ['0-691']],
  ['Harvard University Press', 'Cambridge, MA', ['0-674']],
  ['Palgrave Macmillan', 'London', ['0-230', '1-137']],
  ['SAGE Publications', 'Thousand Oaks, CA', ['0-7619', '1-4129', '1-4462']],
  ['Yale University Press', 'New Haven', ['0-300']],
  ['University of Chicago Press', 'Chicago', ['0-226']],
  ['Academic Press', 'London', ['0-12']],
  ["O'Reilly Media", 'Sebastopol, CA', ['0-596', '1-4493', '1-4919']],
  ['Taylor & Francis', 'London', ['0-7484', '1-4200']],
  ['World Scientific', 'Singapore', ['1-78634']],
];

export const ZH_SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
  '欧阳',
  '司马',
  '诸葛',
];
export const ZH_GIVEN = [
  ...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚英华国志文斌鹏辉红玲丹飞鑫波宁晓东海燕雪梅亮林凤琳玉萍颖琴晨浩宇欣怡涵俊远嘉豪佳琪梓轩婷天佑博新永庆立卫振春生德建荣秀桂慧琦哲睿泽瑞',
];
export const ZH_ROLES = ['著', '著', '著', '主编', '编著', '编', '等著'];
export const FOREIGN_ZH: ReadonlyArray<
  readonly [nationality: string, given: string[], family: string[]]
> = [
  [
    '美',
    ['约翰', '大卫', '迈克尔', '詹姆斯', '托马斯', '彼得', '保罗', '理查德', '罗伯特', '威廉'],
    ['史密斯', '约翰逊', '布朗', '琼斯', '米勒', '戴维斯', '威尔逊', '泰勒', '安德森', '怀特'],
  ],
  [
    '英',
    ['乔治', '亨利', '爱德华', '查尔斯', '安德鲁'],
    ['哈里斯', '克拉克', '刘易斯', '沃克', '格林'],
  ],
  ['德', ['汉斯', '卡尔', '弗里德里希', '马克斯'], ['施密特', '韦伯', '费舍尔', '穆勒']],
  ['法', ['让', '皮埃尔', '米歇尔'], ['杜邦', '马丁', '勒费弗尔']],
  ['日', ['一郎', '健太', '直树'], ['铃木', '田中', '山本', '渡边']],
];

export const ZH_SERIES = [
  '普通高等教育“十一五”国家级规划教材',
  '21世纪高等学校计算机规划教材',
  '高等学校经济管理类专业系列教材',
  '汉译世界学术名著丛书',
  '国家社科基金后期资助项目',
  '马克思主义理论研究和建设工程重点教材',
  '中国社会科学院文库',
  '新世纪法学教材',
  '卫生部“十二五”规划教材',
  '当代中国研究丛书',
];
export const ZH_SUBDIVISIONS = ['研究', '理论', '方法', '应用', '历史', '教材', '高等学校', '文集'];
/** Geographic subdivisions (606 $y); 中国 dominates, as in a Chinese library's headings. */
export const ZH_PLACES_SUBJ = [
  ...Array<string>(7).fill('中国'),
  '上海',
  '北京',
  '广东',
  '世界',
  '美国',
  '日本',
  '欧洲',
];
export const ZH_PERIODS = ['现代', '当代', '近代', '古代', '20世纪', '21世纪'];

export const EN_WORDS = [
  ...new Set(
    `history theory management economics development analysis systems education design data learning
language culture society science computer engineering research methods introduction principles practice
policy china chinese world global international modern urban environmental energy health medicine biology
chemistry physics mathematics statistics information network networks digital library libraries
literature philosophy politics law legal finance financial market markets business accounting marketing
strategy organization organizations communication media art architecture music psychology cognitive
social human resource resources water climate change ecology evolution genetics molecular cell quantum
mechanics materials structural civil electrical software programming algorithms database databases
artificial intelligence machine neural deep models modeling simulation optimization control signal
processing image vision robotics security privacy ethics religion asian asia european europe american
america pacific east west century early late new advanced applied comparative critical cultural economic
political historical public private rural regional national local teaching writing reading translation
linguistics grammar english novel poetry fiction drama film theatre identity gender family children youth
women migration labor trade industry industrial agriculture food land city cities governance democracy
state power war peace revolution empire dynasty reform innovation technology technologies sustainable
sustainability risk crisis capital investment banking insurance tax supply chain logistics operations
quality project leadership entrepreneurship knowledge memory mind brain behavior development growth
inequality poverty welfare healthcare nursing clinical disease cancer infection immunology pharmacology
nutrition sport curriculum assessment higher school university universities students teachers classroom
online web internet mobile cloud computing distributed parallel embedded wireless communications circuits
electronics semiconductor manufacturing mechanical fluid thermal heat transfer dynamics vibration geology
earth ocean atmosphere space astronomy archaeology anthropology sociology geography tourism hospitality
transport transportation traffic housing planning landscape heritage museum archives handbook companion
guide essays studies perspectives approaches foundations fundamentals concepts issues challenges trends`
      .split(/\s+/)
      .filter(Boolean),
  ),
];
/** Words written with a capital letter even in sentence-case titles. */
export const EN_PROPER = new Set([
  'china',
  'chinese',
  'asian',
  'asia',
  'european',
  'europe',
  'american',
  'america',
  'pacific',
  'english',
]);

export const EN_FIRST =
  `James John Robert Michael William David Richard Joseph Thomas Charles Mary Patricia Jennifer Linda
Elizabeth Barbara Susan Jessica Sarah Karen Daniel Matthew Anthony Mark Paul Steven Andrew Kenneth Joshua
Kevin Brian George Edward Ronald Timothy Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen
Emily Anna Laura Helen Sandra Donna Carol Ruth Sharon Michelle Amy Angela Melissa Rebecca Wei Ming Hui Jun`.split(
    /\s+/,
  );
export const EN_LAST =
  `Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez
Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez
Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker
Hall Rivera Campbell Mitchell Carter Roberts Wang Zhang Chen Liu Yang Huang Zhao Wu Zhou Sun Kim Park
Tanaka Suzuki Schmidt Muller Weber Fischer Dubois Rossi`.split(/\s+/);

export const FAMOUS_EN: ReadonlyArray<readonly [string, string, string, string, string]> = [
  ['Introduction to algorithms', '', 'Cormen', 'Thomas H.', 'The MIT Press'],
  ['Artificial intelligence', 'a modern approach', 'Russell', 'Stuart J.', 'Pearson'],
  ['Computer networking', 'a top-down approach', 'Kurose', 'James F.', 'Pearson'],
  ['The C programming language', '', 'Kernighan', 'Brian W.', 'Pearson'],
  ['Principles of economics', '', 'Mankiw', 'N. Gregory', 'Cambridge University Press'],
  ['Operating system concepts', '', 'Silberschatz', 'Abraham', 'Wiley'],
  ['Database system concepts', '', 'Silberschatz', 'Abraham', 'McGraw-Hill Education'],
  ['Pattern recognition and machine learning', '', 'Bishop', 'Christopher M.', 'Springer'],
  ['Deep learning', '', 'Goodfellow', 'Ian', 'The MIT Press'],
  ['The elements of statistical learning', '', 'Hastie', 'Trevor', 'Springer'],
  ['Linear algebra and its applications', '', 'Lay', 'David C.', 'Pearson'],
  ['Molecular biology of the cell', '', 'Alberts', 'Bruce', 'Routledge'],
  ['Guns, germs, and steel', 'the fates of human societies', 'Diamond', 'Jared', 'Routledge'],
  ['The wealth of nations', '', 'Smith', 'Adam', 'Oxford University Press'],
  ['Pride and prejudice', '', 'Austen', 'Jane', 'Oxford University Press'],
];
export const EN_SERIES = [
  'Lecture notes in computer science',
  'Springer series in statistics',
  'Graduate texts in mathematics',
  'Routledge studies in the modern world economy',
  'Cambridge studies in linguistics',
  'Wiley series in probability and statistics',
  'Oxford handbooks',
  'SAGE library of methods in social research',
];

/** Chinese Library Classification: [top class, weight, class numbers]. */
export const CLC: ReadonlyArray<readonly [string, number, readonly string[]]> = [
  ['A', 1, ['A81', 'A811', 'A841']],
  ['B', 4, ['B0', 'B2', 'B222.2', 'B82', 'B84', 'B94']],
  ['C', 2, ['C91', 'C93', 'C8']],
  ['D', 9, ['D0', 'D2', 'D6', 'D61', 'D64', 'D81', 'D9', 'D92', 'D923', 'D924']],
  ['E', 1, ['E0', 'E2', 'E8']],
  ['F', 12, ['F0', 'F12', 'F27', 'F272', 'F275', 'F49', 'F713', 'F74', 'F81', 'F830', 'F832']],
  ['G', 7, ['G0', 'G2', 'G25', 'G252', 'G4', 'G40', 'G64', 'G642', 'G8']],
  ['H', 6, ['H0', 'H1', 'H102', 'H31', 'H315', 'H319.4', 'H3']],
  ['I', 10, ['I0', 'I206', 'I207.4', 'I22', 'I247.5', 'I26', 'I267', 'I561', 'I712', 'I313']],
  ['J', 3, ['J0', 'J2', 'J21', 'J6', 'J9']],
  ['K', 6, ['K0', 'K2', 'K20', 'K25', 'K27', 'K3', 'K5', 'K7', 'K87', 'K92']],
  ['N', 1, ['N0', 'N8', 'N91']],
  ['O', 6, ['O1', 'O13', 'O151.2', 'O17', 'O172', 'O21', 'O4', 'O41', 'O6', 'O62']],
  ['P', 2, ['P1', 'P2', 'P4', 'P5', 'P9']],
  ['Q', 3, ['Q1', 'Q2', 'Q3', 'Q5', 'Q7', 'Q93']],
  ['R', 8, ['R1', 'R2', 'R28', 'R3', 'R4', 'R5', 'R6', 'R7', 'R73', 'R9']],
  ['S', 2, ['S1', 'S3', 'S5', 'S8']],
  [
    'T',
    14,
    ['TB', 'TG', 'TH', 'TK', 'TM', 'TN', 'TN91', 'TP18', 'TP3', 'TP311', 'TP311.13', 'TP312'],
  ],
  ['T', 6, ['TP316', 'TP368', 'TP391', 'TP393', 'TQ', 'TS', 'TU', 'TV']],
  ['U', 2, ['U1', 'U2', 'U4', 'U6']],
  ['V', 1, ['V2', 'V4']],
  ['X', 2, ['X1', 'X2', 'X3', 'X5', 'X7']],
  ['Z', 1, ['Z2', 'Z8']],
];

/** Branches with their shelving locations: [branch, code, weight, Chinese stacks, foreign stacks]. */
export const BRANCHES: ReadonlyArray<readonly [string, string, number, string[], string[]]> = [
  [
    '总馆',
    '1',
    60,
    ['中文社科图书借阅区（二楼）', '中文社科图书借阅区（三楼）', '中文基本书库', '密集书库'],
    ['外文图书借阅区（四楼）', '密集书库'],
  ],
  ['理工分馆', '2', 25, ['自然科学图书借阅区', '工程技术图书借阅区'], ['外文科技图书阅览室']],
  ['医学分馆', '3', 15, ['医学图书借阅室'], ['医学外文图书阅览室']],
];
