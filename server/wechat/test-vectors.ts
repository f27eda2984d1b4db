/**
 * Published WeChat crypto test vectors, copied verbatim from research/wechat-protocol.md §3.3
 * (every value there was re-computed with node:crypto). Shared by the protocol tests and the
 * HTTP gateway's tests; never edit a value to make a test pass.
 */
export const VECTORS = {
  official_doc_plain_push: {
    source: 'P1 official doc 消息加解密说明 (明文模式 example)',
    token: 'AAAAA',
    timestamp: '1714037059',
    nonce: '486452656',
    expected_signature: '899cf89e464efb63f54ddac96b0a0a235f53aa78',
  },
  official_doc_url_verify_get: {
    source: 'P2 official doc 消息推送 (GET verification example)',
    token: 'AAAAA',
    timestamp: '1714036504',
    nonce: '1514711492',
    echostr: '4375120948345356249',
    expected_signature: 'f464b24fc39322e44b38aa78f5edd27bd1441696',
  },
  official_sample_encrypt_A1: {
    source:
      'A1 official Java sample WXBizMsgCryptTest.testAesEncrypt; binarywang/WxJava weixin-java-common/src/test/java/me/chanjar/weixin/common/util/crypto/WxCryptUtilTest.java',
    token: 'pamtest',
    encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
    appid: 'wxb11529c136998cb6',
    random: 'aaaabbbbccccdddd',
    plaintext: '我是中文abcd123',
    expected_encrypt:
      'jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==',
  },
  official_sample_encrypt_A2: {
    source:
      'A2 official Java sample WXBizMsgCryptTest.testAesEncrypt2; same WxJava file. expected_msg_signature_computed is our computation with the sample timestamp/nonce',
    token: 'pamtest',
    encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
    appid: 'wxb11529c136998cb6',
    random: 'aaaabbbbccccdddd',
    timestamp: '1409304348',
    nonce: 'xxxxxx',
    plaintext:
      '<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName><![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime><MsgType><![CDATA[video]]></MsgType><Video><MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0]]></MediaId><Title><![CDATA[testCallBackReplyVideo]]></Title><Description><![CDATA[testCallBackReplyVideo]]></Description></Video></xml>',
    expected_encrypt:
      'jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweImX9+wLMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+UW/wM9enGIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mma0nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqmA7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQDajPkdPrEeOwofJb',
    expected_msg_signature_computed: 'ea88b765074e41eb8c7a75b449db34fa2fd560d5',
  },
  official_sample_verifyurl_B: {
    source: 'B official sample testVerifyUrl (WeCom-style: echostr encrypted)',
    token: 'QDG6eK',
    encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
    receiveId: 'wx5823bf96d3bd56c7',
    timestamp: '1409659589',
    nonce: '263014780',
    echostr:
      'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
    expected_msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
    expected_plain: '1616140317555161061',
  },
  official_sample_decrypt_C: {
    source: 'C official Python Sample.py decrypt (compatible-mode body)',
    token: 'spamtest',
    encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
    appid: 'wx2c2769f8efd9abc2',
    timestamp: '1409735669',
    nonce: '1320562132',
    encrypt:
      'hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=',
    expected_msg_signature: '5d197aaffba7e9b25a30732f161a50dee96bd5fa',
    expected_plaintext:
      '<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>\n<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>\n<CreateTime>1409735668</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[abcdteT]]></Content>\n<MsgId>6054768590064713728</MsgId>\n</xml>',
  },
  official_doc_safe_mode_E: {
    source:
      'E official doc 消息加解密说明 safe-mode example (43 x A key); transcribed via a public test file, crypto verified',
    token: 'AAAAA',
    encodingAESKey: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    appid: 'wx134c8103faa5a59e',
    timestamp: '1715943329',
    nonce: '1590219412',
    encrypt:
      'D7yzvUNAL930rd28wf21s4hvXhz0L6Uit/p2Di6C5DHyYGpEgdBRnKjBec34JwoQXicwaZC7fOVihW80F4VtsdvE//1vr7oAbqjDv8KenVp+ajKYpJnyQ4zMRhIC+a31fCVOMC03FfzV/QuC94kBP55a+Za3sJgvAn+ZbsNqZI5DkyuzkhQN8OBqCzFhizGmy0xpM0MEA4agpvE+RuNO1rhHTtuJB5yltw1FiYzecSXJ+y/D2r81VkRn2eYjh2ltsoyfbDR7Is6ookXIFxTfyeNyeHxMeT4KN5WpCDmSbTcUYrbBUlkGLJ9n/rU8YOywma6G7aTb7KZKOqCxgfoUlYEZPk4FUL/TK7ShriFDMVCLyjQJ15Ob++agDWtcxhfUfe6HIoIpRW8mKNBQiY/Jd1svvuskA1wLef1RTtzKfMpagSCX/laZINmdnX4zrF6kIaR9P4xQrWXbsTFHTYe0Mg==',
    expected_msg_signature: '6c12a4205838198b8fa631b3220723bb07f1015c',
    expected_plaintext:
      '<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName>\n<FromUserName><![CDATA[o9AgO5Kd5ggOC-bXrbNODIiE3bGY]]></FromUserName>\n<CreateTime>1715943329</CreateTime>\n<MsgType><![CDATA[event]]></MsgType>\n<Event><![CDATA[debug_demo]]></Event>\n<debug_str><![CDATA[hello world]]></debug_str>\n</xml>',
    reply: {
      random: '999951349e8ee746',
      plaintext: '<xml><demo_resp>[CDATA[good luck]]</demo_resp></xml>',
      timestamp: '1713424427',
      nonce: '415670741',
      expected_encrypt:
        'hE8R6mGXHkJJjU72KxzKUd1GEkKJaEZq7vRL8XgK3o+00k8JGq6+pZJUIlTSyhsX+bxIBQ72g3GyvDdIZcr6+3HAZbSvPT9t/o11MI7d6WELwqrGd7jMnV0zv3Zc9Nq7',
      expected_msg_signature: '03e0812039325c2712ef5f0f980fd14c70d6e307',
    },
  },
  easywechat_decrypt: {
    source: 'w7corp/easywechat tests/Kernel/EncryptorTest.php',
    token: 'pamtest',
    encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
    appid: 'wxb11529c136998cb6',
    timestamp: '1458300676',
    nonce: '260774613',
    encrypt:
      'rTNFcsut4LfGuAFKEUVVpwcaCOTJzOd9twZdIW910jb3k+iicx2uvhttIZ3Qg9Qgty3BEF2xbOrz6boTfb30dMomcgrkTqdFPwnhqbk+kIQ7rZiwny9D7NUrTgA5kpX3KsZvrXzUZyP2x9YOlxbgm572lmxKvM7HAQQhIQ/p6HBmoY30bGXFK0BtIu1pW9TjhOYrLQoU18nWYjWqDA1ynkmOytpv7QRI1P1+0NoxL0q2zO1DgeSvnE8CZGo/o5Ap/WHK5W2RAsinpzN4/LjPnmB6U01I5XCoJoC0GK/yMZycd2Oh8Nq6+wBkC1U85oy0ktOY4nLvsQMLrourmMGdZHuTbqpeJ8Ao/5PRYJ+WBvRUwPfGKBL2+2IKZF49vAJqkcGWSHGE76ZN2erXeuNazf/o9o3lIE3q739o4c8t9QGPe31GT2Go/rOz1BsrASwvauNulCh+++yz+CQzBIuikA==',
    expected_msg_signature: '4f3ad57b6989f09f4eb392acce4f9e93942ed890',
    expected_plaintext:
      '<xml><URL><![CDATA[http://wechat.laravel.so/server]]></URL><ToUserName><![CDATA[asdasdasd]]></ToUserName><FromUserName><![CDATA[asdasdasdsadasd]]></FromUserName><CreateTime>1234567898</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello]]></Content><MsgId>12345</MsgId></xml>',
  },
  easywechat_jssdk: {
    source: 'w7corp/easywechat tests/OfficialAccount/JsApiTicketTest.php',
    jsapi_ticket: 'mock-ticket',
    noncestr: 'mock-nonce',
    timestamp: 1601234567,
    url: 'https://www.easywechat.com/',
    expected_signature: '22772d2fb393ab9f7f6a5a54168a566fbf1ab767',
  },
  official_jssdk: {
    source: 'J official JS-SDK doc 附录1; chanxuehong/wechat mp/jssdk/sign_test.go',
    jsapi_ticket:
      'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg',
    noncestr: 'Wm3WZYTPz0wzccnW',
    timestamp: '1414587457',
    url: 'http://mp.weixin.qq.com?params=value',
    expected_string1:
      'jsapi_ticket=sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg&noncestr=Wm3WZYTPz0wzccnW&timestamp=1414587457&url=http://mp.weixin.qq.com?params=value',
    expected_signature: '0f9de62fce790f9a083d5c99e95740ceb90c27ed',
    note: 'url http://mp.weixin.qq.com?params=value#xxxx must give the same signature (fragment stripped) - chanxuehong/wechat mp/jssdk/sign_test.go',
  },
  wechat_crypto_sig: {
    source: 'node-webot/wechat-crypto test/crypto.test.js + test/config.js',
    token: 'RMNlACHlV5ThzfRlVS4D4',
    timestamp: 'timestamp',
    nonce: 'nonce',
    encrypt: 'encrypt',
    expected_msg_signature: '8edac0945683c119ee71c9f6256d76c48aa08a96',
  },
  chanxuehong_sign: {
    source: 'chanxuehong/wechat internal/util/sign_test.go',
    token: 'token1234567890',
    timestamp: '1458864389',
    nonce: '2066297436',
    expected_signature: 'f9c725922f6844701ba71e98031978e40023c09f',
    encrypt:
      'u0KvD5kCUzGq9QmWTsSRcolKAH92oiMZDBJ840OqXXFhzUFsBZtdDv6Fv2W9zlrP3Rx3jQGiNXY8sV0kWgzdcefN3WznfM0TGArGowC9bgHE+4QKGrkly0wQ6ouQe7UrKDvkfMy3t8t8njawTl2z0MvgIsaVAvllB3vDWzY/Oo1P1Q9PLdIsgbQjyrJVObZMgFK4KN175ygxBWkb4fdiIAIXSpxN/48LYixSkgohbAcUGlDP8FD3mPTDppz1yI4fGY8jHCYy3s2CsylkE/1+/6zAtv/8160FvB/C6CwRd7Q4OypAW2JKDOekWULMhahY+43C8GQaKWWbsmOHdiEoL6N8jCyrquvCBnvekZTrRY/CTuyqmpo/5LrDXXORwKDdK0uSVU/9N1Lpz9waEWMFqIPSnYC+MgelLzE9hBlnJ+5qC6O0GXrm6QmrncijD2SvdOhfT6OKIDiYJUM2cHHMcg==',
    expected_msg_signature: '247dea54e9ca03ab1e75d03430d205a5b967c44d',
  },
  powerwechat_wecom_decrypt: {
    source:
      'ArtisanCloud/PowerWeChat src/kernel/Encryptor_test.go (WeCom; receiveId is the corp id, not the 1000005 the test passes)',
    token: 'pcoLldqMu2WQQtYBeDX5HiXPsBFlTnDM',
    encodingAESKey: 'CyjBvGm4tJNmcThkeL5Wajzom4jKlBygKtpTkYeqsnE',
    timestamp: '1623301925',
    nonce: '1624217036',
    encrypt:
      'ZBY4h9SD1Y/v+ighMGU4yHSVWyMuf2UdQQfFuB8S/SY5il9MynR1rtKIJDG871vOqaCs0FVje6bX0VyhvL02PG7FXjRR+rAyiwVv7T7nBGgamkPeOv4n/jXgFQnY6NEt3Zym09t4aI+21pDcE6uN6JzcC+hxw5sBfVyza3NHyuLiyhvalsFbasA4HNcnK+4/3eZLMo+e6yvHUsY4WhmZWW5u5mHcDZm1jtI2fUtzod6Sx7PrCOhm+zUO1I98OD0EmICxHHMjMkGmSFuGhG8vXRKaRavzvV/fkscZK1HjW+XJOV0c9wYDZT+/LTjDS/yx5KkM5lIksiw57DsCro9gvmE1WdvB3bw3m+5ie2x1ZRSuh6ik1rbMTiXgJXt0MnbV8VsyPe1zhkbug1cwdhT9zcOTieb0oyiIl3wSAEkNNBNBaWB+78V1hM/ngMoZgKaaasJUCGtPH/rN+YnxGicDOg==',
    expected_msg_signature: 'd728d2bea7e28585ebd14eacbd330d84073fe7f1',
    expected_plaintext:
      '<xml><ToUserName><![CDATA[wwedab3d5fc43636d8]]></ToUserName><FromUserName><![CDATA[WangChaoYi]]></FromUserName><CreateTime>1623301925</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[密文测试]]></Content><MsgId>6972028683187026694</MsgId><AgentID>1000005</AgentID></xml>',
    actual_receiveId: 'wwedab3d5fc43636d8',
  },
} as const;

/**
 * Vectors quoted in §3.1/§3.2 of the research but not in the §3.3 JSON.
 */
export const EXTRA_VECTORS = {
  /** §3.1 C: the plain `signature` (3 fields) in the same request as official_sample_decrypt_C. */
  official_sample_decrypt_C_plain_signature: '16120ec1b8dbb870f510d87ce6bc2463eae6ca1a',
  /** §3.2 binarywang/WxJava SHA1Test: SHA1.gen("123", "345"). */
  wxjava_sha1: { parts: ['123', '345'], expected: '9f537aeb751ec72605f57f94a2f6dc3e3958e1dd' },
  /** §3.2 silenceper/wechat util/signature_test.go: Signature("a", "b", "c") = sha1("abc"). */
  silenceper_sha1: { parts: ['a', 'b', 'c'], expected: 'a9993e364706816aba3e25717850c26c9cd0d89d' },
} as const;
