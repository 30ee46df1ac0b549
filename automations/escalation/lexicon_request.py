"""Shipped word lists for the explicit request for a person, per language.

A request is a *cue* (talk, speak, connect me, parler, hablar...) followed, with only
*fillers* between (to, a, real, live...), by a *person* (human, agent, conseiller...); or a
message that is nothing but a person and politeness ("agent please", "un humain svp"); or a
refusal of the bot ("je ne veux pas parler à un robot"). A *negation* before the cue in the
same clause cancels it ("no need for an agent") unless it is an *inability* ("I can't reach
an agent", "je n'arrive pas à joindre un conseiller": a reason more to hand over). *Topics*
mask a person word that names a subject ("human resources", "agent fees", "agent
immobilier"). Chinese has no word boundaries: its requests are whole phrases.

Entries are written as a customer types them; they are folded (lower case, accents
stripped) when compiled. Operators extend or trim them in ``escalation.yaml`` under
``words: {LANG: {explicit_request | not_request | negation: {add, remove}}}``.
"""

from __future__ import annotations

from dataclasses import dataclass

from automations.escalation.text import entries


@dataclass(frozen=True)
class RequestWords:
    persons: tuple[str, ...]
    cues: tuple[str, ...]
    #: cues that must be right before the person ("want an agent", not "want to know if
    #: someone..."): only articles may stand between
    near_cues: tuple[str, ...]
    fillers: tuple[str, ...]
    #: what may surround a person in a message that is only a request ("agent please")
    standalone: tuple[str, ...]
    bots: tuple[str, ...]
    #: words that turn a mention of the bot into a refusal of it ("stop", "tired of")
    bot_refusals: tuple[str, ...]
    negations: tuple[str, ...]
    #: words right after a negation that make it an inability, not a refusal
    inabilities: tuple[str, ...]
    topics: tuple[str, ...]
    #: whole phrases that are requests by themselves
    phrases: tuple[str, ...] = ()
    #: words that end a clause (a negation does not reach past them)
    splitters: tuple[str, ...] = ()
    #: person words that are also ordinary words; they count only after a cue
    cue_only: tuple[str, ...] = ()
    #: words just before a cue that put it in the past ("I was talking to an agent")
    past: tuple[str, ...] = ()
    #: what may follow a person to make a request of it ("is there a human who can help me")
    after: tuple[str, ...] = ()
    #: questions about whether a person is needed ("do I have to call someone?"): weak
    requirement: tuple[str, ...] = ()


EN = RequestWords(
    persons=entries(
        """
        human, humans, human being, real person, person, people, someone, somebody, anyone,
        anybody, agent, agents, live agent, human agent, operator, representative, rep,
        assistant, live assistant, advisor, adviser, staff, staff member, employee, manager,
        supervisor, customer service agent, customer service representative, live chat, live
        person
        """
    ),
    cues=entries(
        """
        talk, talking, speak, speaking, chat, chatting, contact, contacting, connect,
        connecting, transfer, transferring, reach, reaching, escalate, put me through, get me,
        give me, let me talk, let me speak, direct me, forward me, pass me, call, deal with, get
        hold of, get in touch with, hand me, hand over, switch me, route me
        """
    ),
    near_cues=entries(
        """
        want, need, like, prefer, get, requesting, request, ask for
        """
    ),
    fillers=entries(
        """
        to, with, a, an, the, some, real, actual, live, human, proper, physical, me, please,
        pls, plz, now, right, away, one, of, your, you, guys, directly, just, fucking, fking,
        bloody, damn, freaking, goddamn, through, over, for, in, up, an, into, another, other,
        different, customer, service, support, help, helpful, competent, knowledgeable, living,
        breathing, on, at, least, asap, immediately, wth, w, 2, u
        """
    ),
    standalone=entries(
        """
        a, an, the, please, pls, plz, now, real, live, human, actual, i, want, need, talk,
        speak, to, with, hello, hi, hey, ok, yes, just, asap, immediately, fucking, damn, you
        """
    ),
    bots=entries(
        """
        bot, bots, robot, robots, machine, chatbot, automated
        """
    ),
    bot_refusals=entries(
        """
        stop, tired of, sick of, hate, enough, done with, fed up with, useless, no more, instead
        of, rather than
        """
    ),
    negations=entries(
        """
        not, no, never, without, dont, nor, rather not, no need
        """
    ),
    inabilities=entries(
        """
        know, understand, able, find, get, seem, see, working, work, manage, figure, can, could,
        cannot, unable
        """
    ),
    topics=entries(
        """
        human resources, human rights, human error, human nature, human trafficking, agent fee,
        agent fees, agent commission, agent code, agent number, agent id, travel agent,
        insurance agent, estate agent, real estate agent, booking agent, shipping agent, customs
        agent, sales agent, secret agent, free agent, user agent, in person, per person, person
        to person, local agent, agent near, agent nearby, agents near, agents nearby, agent
        close, agent in my area, financial advisor, financial adviser, investment advisor, tax
        advisor, someone used, someone has, someone else used, somebody used, someone stole,
        somebody stole, someone took, someone made
        """
    ),
    phrases=entries(
        """
        talk to a human, speak to a human, human please, get me a human, speak to someone, talk
        to someone
        """
    ),
    splitters=entries(
        """
        but, instead, however, though, although
        """
    ),
    cue_only=entries(
        """
        person, people, someone, somebody, anyone, anybody, staff, employee, manager, advisor,
        adviser, assistant, live chat
        """
    ),
    past=entries(
        """
        was, were, had, already, been, earlier, yesterday
        """
    ),
    after=entries(
        """
        can help, could help, help me, to help me, to talk to, can answer, to call me, can
        call me
        """
    ),
    requirement=entries(
        """
        do i need to, do i have to, do i need, must i, should i, is it necessary to, is it
        mandatory to, will i need to, will i have to
        """
    ),
)

FR = RequestWords(
    persons=entries(
        """
        humain, humains, une humaine, etre humain, vraie personne, vrai personne, personne
        reelle, personne physique, une personne, quelquun, conseiller, conseillere, conseillers,
        agent, agents, operateur, operatrice, interlocuteur, interlocutrice, technicien,
        technicienne, responsable, superviseur, employe, employee, vendeur, vendeuse, standard,
        personne en chair et en os, service client humain
        """
    ),
    cues=entries(
        """
        parler, discuter, echanger, joindre, contacter, avoir, passer, passez moi, passe moi,
        mettre en relation, mettez moi en relation, transferer, transferez, transferez moi,
        rediriger, redirigez moi, appeler, rappeler, rappelle, rappelez, eu, parle, joindre,
        voir, contacte, mettre en contact, mettez moi en contact, avoir affaire, m adresser
        """
    ),
    near_cues=entries(
        """
        veux, voudrais, souhaite, souhaiterais, aimerais, besoin, demande, exige, prefere,
        preferais
        """
    ),
    fillers=entries(
        """
        a, au, aux, avec, un, une, le, la, les, l, de, d, du, des, vrai, vraie, vrais, reel,
        reelle, humain, humaine, moi, me, m, svp, stp, plait, s, il, vous, te, tout, de suite,
        directement, maintenant, mon, ma, votre, vos, en, ligne, direct, quelqu, autre,
        competent, competente, putain, bordel, service, client, clientele, physique, par,
        telephone, rapidement, vite, urgence
        """
    ),
    standalone=entries(
        """
        un, une, le, la, svp, stp, s, il, vous, plait, merci, vrai, vraie, humain, je, veux,
        voudrais, parler, a, bonjour, salut, maintenant, oui, please, tout, de, suite, direct
        """
    ),
    bots=entries(
        """
        robot, robots, bot, bots, machine, chatbot, automate, ia, ordinateur, programme,
        repondeur
        """
    ),
    bot_refusals=entries(
        """
        marre, ras le bol, stop, arretez, assez, fatigue, deteste, nul, au lieu, plutot, plus de
        """
    ),
    negations=entries(
        """
        ne, n, pas, jamais, sans, non, nul besoin, pas besoin, plus besoin, aucun, inutile de,
        pas la peine
        """
    ),
    inabilities=entries(
        """
        arrive, arrivons, reussis, reussi, parviens, peux, pouvons, pu, sais, savons, trouve,
        comprends, capable, moyen
        """
    ),
    topics=entries(
        """
        ressources humaines, droits humains, droits de l homme, erreur humaine, agent
        immobilier, agence immobiliere, agent d assurance, agent de voyage, agent commercial,
        agent secret, frais d agent, frais de conseiller, conseiller financier, conseiller d
        orientation, conseiller municipal, conseiller fiscal, conseiller en investissement,
        conseiller patrimonial, mon conseiller m, mon conseiller a, mon conseiller ma, ma
        conseillere m, ma conseillere a, personne ne, personne n, aucune personne, quelquun a,
        quelquun d autre, en personne, par personne, standard telephonique
        """
    ),
    phrases=entries(
        """
        un humain svp, parler a un humain, parler a un conseiller, passez moi quelquun,
        conseiller svp
        """
    ),
    splitters=entries(
        """
        mais, plutot, pourtant, cependant, sinon
        """
    ),
    cue_only=entries(
        """
        une personne, quelquun, responsable, technicien, technicienne, employe, employee,
        vendeur, vendeuse, standard, superviseur
        """
    ),
    past=entries(
        """
        ai, avons, avez, avais, avions, deja, hier, etais
        """
    ),
    after=entries(
        """
        peut m aider, pourrait m aider, peut me repondre, pourrait me repondre, me repondre, m
        aider, me rappeler, peut me rappeler
        """
    ),
    requirement=entries(
        """
        est ce que je dois, dois je, faut il, est ce qu il faut, suis je oblige de, faut il
        que je
        """
    ),
)

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

DEFAULTS: dict[str, RequestWords] = {"en": EN, "fr": FR, "es": ES, "zh": ZH}
