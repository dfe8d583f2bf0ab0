#1783761951
ls -la /srv
#1783761991
df -h
#1783839795
ls -la /srv
#1783839843
systemctl status app
#1783840105
ls -la /srv
#1783840210
tail -n 50 /var/log/syslog
#1783848546
ls -la /srv
#1783848654
uptime
#1783854559
uptime
#1783854628
ls -la /srv
#1783864789
uptime
#1783864909
systemctl status app
#1783895200
uptime
#1783895236
df -h
#1783895252
ls -la /srv
#1783895301
free -m
#1783895948
ls -la /srv
#1783896001
df -h
#1783968459
systemctl status app
#1783968553
journalctl -u nginx --since today
#1783989999
journalctl -u nginx --since today
#1783990048
uptime
#1783990074
df -h
#1783990169
tail -n 50 /var/log/syslog
#1784020465
free -m
#1784020583
ls -la /srv
#1784034554
uptime
#1784034582
tail -n 50 /var/log/syslog
#1784042227
tail -n 50 /var/log/syslog
#1784042260
systemctl status app
#1784055972
uptime
#1784056023
journalctl -u nginx --since today
#1784066343
tail -n 50 /var/log/syslog
#1784066421
uptime
#1784067123
free -m
#1784067153
journalctl -u nginx --since today
