import { detectEmotion, normalize } from '../../src/nlu';

describe('detectEmotion', () => {
  test.each([
    // English
    ['where is my order', 'neutral'],
    ['thanks, that was really helpful', 'positive'],
    ['great, perfect!', 'positive'],
    ['I am disappointed with the delivery', 'negative'],
    ['this is not good enough', 'negative'],
    ['not happy with the product', 'negative'],
    ['my parcel arrived damaged', 'negative'],
    ['WHERE IS MY ORDER!!!', 'angry'],
    ['this is a scam, I want my money back', 'angry'],
    ['wtf is going on with my refund', 'angry'],
    ['what the fuck', 'angry'],
    ['this is ridiculous, I am furious', 'angry'],
    ['terrible service!!!', 'angry'],
    ['THIS IS UNACCEPTABLE', 'angry'],
    ['I WANT MY REFUND NOW', 'negative'],
    ['Thanks!!!', 'positive'],
    ['I need a USB cable', 'neutral'],
    // Chinese
    ['我的订单到哪了', 'neutral'],
    ['谢谢你的帮助', 'positive'],
    ['太好了，非常满意', 'positive'],
    ['我对你们的服务很失望', 'negative'],
    ['不满意', 'negative'],
    ['等了好久还没到', 'negative'],
    ['气死我了', 'angry'],
    ['你们这是诈骗吧', 'angry'],
    ['什么破服务，垃圾', 'angry'],
    ['太过分了！！！', 'angry'],
    ['东西坏了！！', 'angry'],
    ['麻烦帮我查一下订单', 'neutral'],
    ['滚筒洗衣机有货吗', 'neutral'],
    ['垃圾处理器怎么安装', 'neutral'],
  ] as const)('%j → %s', (text, emotion) => {
    expect(detectEmotion(normalize(text))).toBe(emotion);
  });
});
