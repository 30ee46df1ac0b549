"""Shipped word lists for the explicit request for a person in Spanish and Chinese (the
grammar of the lists is described in ``lexicon_request.py``, which also holds English and
French and the defaults by language)."""

from __future__ import annotations

from automations.escalation.request_words import RequestWords
from automations.escalation.text import entries

ES = RequestWords(
    persons=entries(
        """
        humano, humana, ser humano, persona, persona real, alguien, agente, agentes, operador,
        operadora, asesor, asesora, representante, ejecutivo, ejecutiva, encargado, encargada,
        supervisor, empleado, gente
        """
    ),
    cues=entries(
        """
        hablar, comunicar, comunicarme, contactar, contactarme, pasar, pasame, paseme,
        transferir, transfiereme, transfierame, conectar, conectame, conecteme, atender,
        atienda, llamar, llamame, charlar, platicar, ponerme en contacto, comuniqueme,
        comunicame
        """
    ),
    near_cues=entries(
        """
        quiero, quisiera, necesito, prefiero, pido, solicito, deseo
        """
    ),
    fillers=entries(
        """
        a, al, con, un, una, el, la, los, las, de, del, real, verdadero, verdadera, humano,
        humana, me, por, favor, ya, ahora, directamente, su, sus, algun, alguna, otro, otra, en,
        vivo, servicio, cliente, atencion, mierda, carajo, joder
        """
    ),
    standalone=entries(
        """
        un, una, el, la, por, favor, porfa, ya, ahora, humano, real, quiero, hablar, con, hola,
        si, gracias
        """
    ),
    bots=entries(
        """
        robot, robots, bot, bots, maquina, chatbot, automata, ia, contestadora
        """
    ),
    bot_refusals=entries(
        """
        harto, harta, basta, cansado, cansada, odio, inutil, en vez de, en lugar de
        """
    ),
    negations=entries(
        """
        no, nunca, sin, ni, jamas
        """
    ),
    inabilities=entries(
        """
        puedo, podemos, pude, logro, consigo, se, encuentro, entiendo, funciona
        """
    ),
    topics=entries(
        """
        recursos humanos, derechos humanos, error humano, agente de viajes, agente inmobiliario,
        agente de seguros, agente secreto, comision del agente, persona fisica, persona
        juridica, por persona, en persona, personal, alguien uso, alguien ha, alguien me robo,
        alguien hizo
        """
    ),
    phrases=entries(
        """
        hablar con un humano, hablar con un agente, hablar con una persona, un humano por favor
        """
    ),
    splitters=entries(
        """
        pero, sino, aunque
        """
    ),
    cue_only=entries(
        """
        persona, alguien, gente, encargado, encargada, empleado, supervisor, ejecutivo,
        ejecutiva
        """
    ),
    past=entries(
        """
        hable, habia, ya, ayer
        """
    ),
    after=entries(
        """
        me puede ayudar, me pueda ayudar, pueda ayudarme, me ayude, me atienda, me llame
        """
    ),
    requirement=entries(
        """
        tengo que, debo, es necesario
        """
    ),
)

#: Chinese: whole phrases, matched as substrings of the folded text
ZH = RequestWords(
    persons=(),
    cues=(),
    near_cues=(),
    fillers=(),
    standalone=entries(
        """
        人工, 客服, 真人
        """
    ),
    bots=entries(
        """
        机器人
        """
    ),
    bot_refusals=entries(
        """
        不要, 不想, 别用, 受够了, 不跟, 不和
        """
    ),
    negations=entries(
        """
        不用, 不需要, 不要, 无需, 没必要, 别, 不必, 不想
        """
    ),
    inabilities=(),
    topics=entries(
        """
        人工智能, 人力资源, 人工费, 人工成本, 人工降雨, 人工合成, 智能客服
        """
    ),
    phrases=entries(
        """
        转人工, 人工客服, 人工服务, 真人客服, 找人工, 接人工, 转接人工, 人工坐席,
        客服人员, 找客服, 转客服, 接客服, 真人, 找个人, 和人说话, 跟人说话,
        人工, 联系客服, 要客服, 转接客服
        """
    ),
    splitters=(),
    cue_only=(),
    past=(),
)
