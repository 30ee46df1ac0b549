"""Shipped frustration word lists per language: strong and mild cues, profanity.

A strong cue ("useless", "ridiculous", "inadmissible", "垃圾") says the customer is angry; a
mild one ("still", "again", "waiting", "toujours pas") says they are getting there. The
frustration detector adds them up per message with shouting and repeated punctuation, then
reads the trend over the last turns, so one "again" is not an escalation and three angry
messages in a row are. Folded like every list (lower case, no accents, ``n't`` -> ``not``).
"""

from __future__ import annotations

from automations.escalation.text import entries

STRONG: dict[str, tuple[str, ...]] = {
    "en": entries(
        """
        useless, pointless, ridiculous, unacceptable, outrageous, disgrace, disgraceful,
        disgusting, pathetic, terrible, horrible, awful, worst, incompetent, joke, scam, rip
        off, ripoff, fed up, sick of, sick and tired, tired of, had enough, fuck, fucking,
        fucked, fck, fk, wtf, shit, shitty, crap, crappy, bullshit, damn, damned, bloody, hell,
        stupid, idiot, idiots, moron, furious, angry, livid, pissed, annoyed, frustrated,
        frustrating, infuriating, fed up with, hate, hopeless, not helpful, no help, not help,
        waste of time, wasting my time, nonsense, screw, sucks, suck, garbage, rubbish, trash,
        shame on you, unbelievable, are you kidding, seriously, had enough, never again, worst
        service, goddamn, goddam, bastard, bastards, asshole, bitch, liar, liars, shut up,
        how dare you, damn you, go to hell, piss off, pissed off, bugger, bollocks, sod off
        """
    ),
    "fr": entries(
        """
        inadmissible, inacceptable, scandaleux, scandale, honteux, honte, nul, nuls, nulle,
        lamentable, pitoyable, catastrophique, incompetent, incompetents, incompetence, arnaque,
        arnaqueurs, escrocs, marre, ras le bol, en ai assez, j en ai assez, furieux, furieuse,
        enerve, enervee, enervant, agace, agacant, exaspere, exasperant, degoute, putain, merde,
        bordel, con, cons, connard, connards, foutage de gueule, se fout, vous foutez, n importe
        quoi, ridicule, inutile, aucune aide, perte de temps, c est une blague, serieusement,
        jamais plus, insupportable, deplorable, intolerable, colere, decu, decue, deception
        """
    ),
    "es": entries(
        """
        inutil, inutiles, ridiculo, inaceptable, vergonzoso, verguenza, horrible, pesimo,
        pesima, terrible, incompetente, incompetentes, estafa, harto, harta, hartos, estoy
        harto, furioso, furiosa, enojado, enojada, enfadado, enfadada, molesto, molesta, mierda,
        joder, carajo, puta, estupido, idiota, basura, perdida de tiempo, una broma, no sirve,
        no sirven, el peor, la peor, indignante, decepcionado, decepcionada
        """
    ),
    "zh": entries(
        """
        垃圾, 太差, 很差, 差劲, 气死, 生气, 愤怒, 无语, 烦死, 受够了,
        什么破, 骗子, 坑人, 投诉, 恶心, 有病, 废物, 没用, 太慢了, 搞什么,
        滚, 他妈, 妈的, 靠
        """
    ),
}

MILD: dict[str, tuple[str, ...]] = {
    "en": entries(
        """
        still, again, yet, already, waiting, waited, nobody, no one, not working, not work,
        does not work, keep, keeps, kept, every time, third time, second time, how
        many times, how long, wrong, problem, issue, disappointed, disappointing, upset,
        annoying, unhappy, not happy, confused, worse, bad, slow, late, never, ignored,
        ignoring, not answer, no answer, no reply, not understand, understand me, listen, hello,
        anyone there, please help, urgent, asap, not fair, complaint
        """
    ),
    "fr": entries(
        """
        toujours, toujours pas, encore, deja, attends, attente, attendre, personne ne, aucune
        reponse, pas de reponse, ne marche pas, marche pas, fonctionne pas, ne fonctionne pas,
        plusieurs fois, troisieme fois, combien de fois, probleme, souci, mauvais, lent, retard,
        jamais, ignore, comprenez pas, comprends pas, allo, urgent, pas normal, pas possible,
        mecontent, mecontente, pas content, pas contente, reclamation
        """
    ),
    "es": entries(
        """
        todavia, otra vez, de nuevo, ya, esperando, espera, nadie, no funciona, sigue, siempre,
        varias veces, tercera vez, cuantas veces, problema, malo, mala, lento, tarde, nunca, no
        entiende, urgente, no es normal, descontento, descontenta, queja
        """
    ),
    "zh": entries(
        """
        还是, 又, 还没, 一直, 等了, 等很久, 没人, 没有人, 不行, 不能用,
        有问题, 问题, 太慢, 为什么, 到底, 怎么回事, 急, 失望, 不满意
        """
    ),
}
