#1783753827
ls -la /srv
#1783753852
tail -n 50 /var/log/syslog
#1783768727
systemctl status app
#1783768813
free -m
#1783801872
systemctl status app
#1783801977
ls -la /srv
#1783825490
df -h
#1783825609
uptime
#1783857368
ls -la /srv
#1783857423
journalctl -u nginx --since today
#1783863709
tail -n 50 /var/log/syslog
#1783863807
ls -la /srv
#1783874766
uptime
#1783874812
free -m
#1783904157
tail -n 50 /var/log/syslog
#1783904210
df -h
#1783921784
tail -n 50 /var/log/syslog
#1783921826
free -m
#1783933435
systemctl status app
#1783933444
free -m
#1783995736
df -h
#1783995787
uptime
#1784014389
tail -n 50 /var/log/syslog
#1784014433
journalctl -u nginx --since today
#1784044469
uptime
#1784044589
systemctl status app
#1784052566
free -m
#1784052621
df -h
#1784064176
tail -n 50 /var/log/syslog
#1784064209
ls -la /srv
#1784067266
systemctl status app
#1784067282
tail -n 50 /var/log/syslog
